/** A grant's duration as written: a whole number (1 to 999999) of minutes, hours or days. */
const DURATION = /^([1-9][0-9]{0,5})([mhd])$/;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest duration any policy may allow a grant (`grants.max_duration`). */
export const LONGEST_GRANT_MS = 30 * UNIT_MS.d;

/**
 * Milliseconds of `30m`, `4h`, `2d`; undefined for anything else. Six digits
 * at most, so the product stays an exact integer (999999d is far below 2^53 ms)
 * and `99999d` is read, then refused for exceeding the policy's maximum.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
