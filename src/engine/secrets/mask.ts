/**
 * A value shortened for messages: at most its first 4 and last 2 characters,
 * and never more than a quarter of it, so a message can name a credential
 * without leaking it. `ghp_` + 36 characters → `ghp_…9z`.
 */
export function maskSecret(value: string): string {
  const budget = Math.floor(value.length / 4);
  const head = Math.min(4, budget);
  const tail = Math.min(2, budget - head);
  return `${value.slice(0, head)}…${tail > 0 ? value.slice(-tail) : ""}`;
}
