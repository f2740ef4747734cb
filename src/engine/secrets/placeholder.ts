/**
 * Markers of documentation and template values: `AKIAIOSFODNN7EXAMPLE`,
 * `ghp_xxxx…`, `your_token`, `<token>`, `${TOKEN}`, `0000…`, `1234…`. A real
 * random token contains one of these by chance with a probability of about
 * 1e-4 or less, a miss we accept to keep the rule quiet on docs and samples.
 */
const MARKERS = ["example", "xxxx", "0000", "1234", "your_", "${"];

/** Five or more of the same character in a row. */
const REPEATED_RUN = /(.)\1{4}/;

/** True when `value` reads as a placeholder rather than a credential. */
export function looksLikePlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (MARKERS.some((marker) => lower.includes(marker))) return true;
  if (/<[^<>]*>/.test(value)) return true;
  return REPEATED_RUN.test(value);
}
