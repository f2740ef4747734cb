const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A time given on the command line: an ISO 8601 date (`2026-11-01`, midnight
 * UTC) or date-time (`2026-11-01T12:00:00Z`), or a duration back from `now`
 * (`30m`, `24h`, `7d`). Undefined when it is neither.
 */
export function parseTime(text: string, now: Date): Date | undefined {
  const relative = /^(\d{1,6})([mhd])$/.exec(text);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(time) ? undefined : new Date(time);
}
