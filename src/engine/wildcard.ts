/**
 * Case-insensitive whole-string match of a `*`-wildcard pattern (used for
 * commit-message trailer patterns). Linear-time two-pointer matching instead of
 * a regular expression, so a pattern with many `*` against a long, attacker-
 * written commit line cannot backtrack exponentially.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== "*" && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
