import { pathOutside } from "./glob-relations.js";

/** A glob of the narrower list that reaches beyond the wider one: its index, and a path only it matches when one was found. */
export interface GlobNarrowing {
  index: number;
  glob: string;
  example?: string;
}

/** Beyond this many glob pairs, a glob not wholly inside the baseline contributes nothing (narrower, never wider). */
const MAX_PAIR_CHECKS = 2_000;

/**
 * The globs matching only paths both lists match, as far as whole globs can
 * say it: each glob of `own` that lies inside `base` is kept; for one that
 * does not, the globs of `base` that lie inside it are kept instead, and it is
 * reported. A partial overlap that no whole glob expresses is left out, so
 * the result never matches a path `base` does not; a question the glob
 * relations cannot settle counts as "not inside".
 */
export function intersectGlobs(base: readonly string[], own: readonly string[], report: (narrowing: GlobNarrowing) => void): string[] {
  const result = new Set<string>();
  const allowedBase = { patterns: base, side: "allow" as const };
  let budget = MAX_PAIR_CHECKS;
  own.forEach((glob, index) => {
    const outside = pathOutside({ patterns: [glob], side: "allow" }, allowedBase);
    if (outside === undefined) {
      result.add(glob);
      return;
    }
    report({ index, glob, ...(typeof outside === "string" ? { example: outside } : {}) });
    for (const candidate of base) {
      if (budget-- <= 0) break;
      if (pathOutside({ patterns: [candidate], side: "allow" }, { patterns: [glob], side: "allow" }) === undefined) result.add(candidate);
    }
  });
  return [...result];
}
