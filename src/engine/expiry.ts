const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The first instant at which a grant is no longer valid. A date-only `expires`
 * is valid through the end of that day in UTC, so it ends at the next midnight
 * UTC; a date-time ends exactly when it says. An unreadable value yields the
 * epoch (already expired): the engine fails closed.
 */
export function grantEndsAt(expires: string): Date {
  const ms = DATE_ONLY.test(expires) ? Date.parse(`${expires}T00:00:00.000Z`) + 86_400_000 : Date.parse(expires);
  return new Date(Number.isNaN(ms) ? 0 : ms);
}

export function isExpired(expires: string, now: Date): boolean {
  return now.getTime() >= grantEndsAt(expires).getTime();
}
