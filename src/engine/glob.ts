import { braceExpand, Minimatch } from "minimatch";
import { GlobSet } from "./glob-set.js";

/**
 * Glob matching shared by the policy validator and the engine.
 *
 * Contract:
 * - dot-files always match (`**` covers `.github/` and `.env`);
 * - `deny`-side patterns (deny lists, secret files, governance files, step-up
 *   triggers) match case-insensitively, so `.ENV` or `.GitHub/Workflows` cannot
 *   slip past them; `allow`-side patterns match case as GitHub stores it;
 * - patterns are bounded (length, brace expansion, wildcard count) so a hostile
 *   glob cannot make matching slow.
 */
export const GLOB_LIMITS = {
  maxLength: 256,
  maxBraceSets: 4,
  maxExpansions: 64,
  maxWildcards: 16,
} as const;

export type GlobSide = "allow" | "deny";

// One map per side, keyed by the pattern itself: patterns are the policy's own
// strings, whose hashes V8 keeps, so a lookup costs no string building.
const cache: Record<GlobSide, Map<string, Minimatch>> = { allow: new Map(), deny: new Map() };

/** Returns an error message for a glob the policy must refuse, or undefined when it is usable. */
export function checkGlob(pattern: string): string | undefined {
  if (pattern.length === 0) return "glob is empty";
  if (pattern.length > GLOB_LIMITS.maxLength) return `glob is longer than ${GLOB_LIMITS.maxLength} characters`;
  if (/[\u0000-\u001f]/.test(pattern)) return "glob contains a control character";
  if (pattern.startsWith("/")) return "glob must be relative to the repository root (no leading '/')";
  if (pattern.includes("\\")) return "glob must use '/' separators and no backslash escapes";
  const segments = pattern.split("/");
  if (segments.some((s) => s === ".." || s === ".")) return "glob must not contain '.' or '..' segments";
  const braceSets = (pattern.match(/\{/g) ?? []).length;
  if (braceSets > GLOB_LIMITS.maxBraceSets) return `glob has more than ${GLOB_LIMITS.maxBraceSets} brace sets`;
  if ((pattern.match(/\*+|\?/g) ?? []).length > GLOB_LIMITS.maxWildcards)
    return `glob has more than ${GLOB_LIMITS.maxWildcards} wildcards`;
  if (/[+@!?*]\(/.test(pattern)) return "extglob patterns such as '+(…)' or '!(…)' are not supported";
  if (pattern.startsWith("!")) return "negated globs are not supported; use a deny list instead";
  // Count expansions with a capped expander before compiling: minimatch would otherwise build up to
  // 100 000 patterns first (four 26-way brace sets take ~0.8 s), and a capped compile silently leaves
  // a large numeric range unexpanded.
  const expanded = braceExpand(pattern, { braceExpandMax: GLOB_LIMITS.maxExpansions + 1 });
  if (expanded.length > GLOB_LIMITS.maxExpansions) return `glob expands to more than ${GLOB_LIMITS.maxExpansions} patterns`;
  // Changed paths and branch names never end in '/', so such a glob (or brace alternative) would match
  // nothing: a deny list or protected_branches entry written `src/auth/` would silently protect nothing.
  if (expanded.some((p) => p.endsWith("/"))) return "glob must not end with '/'; write 'dir/**' for everything below a directory";
  let mm: Minimatch;
  try {
    mm = new Minimatch(pattern, { dot: true });
  } catch (cause) {
    return `glob is invalid: ${(cause as Error).message}`;
  }
  if (mm.set.length > GLOB_LIMITS.maxExpansions) return `glob expands to more than ${GLOB_LIMITS.maxExpansions} patterns`;
  if (mm.set.length === 0) return "glob matches nothing";
  return undefined;
}

function compile(pattern: string, side: GlobSide): Minimatch {
  const compiled = cache[side];
  let mm = compiled.get(pattern);
  if (!mm) {
    mm = new Minimatch(pattern, { dot: true, nocase: side === "deny", nocomment: true, nonegate: true, noext: true });
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, mm);
  }
  return mm;
}

// A pattern list is compiled into an indexed set once: the policy's lists are the same arrays for
// every event judged under it (the parsed policy is cached by blob SHA), and never change.
const sets: Record<GlobSide, WeakMap<readonly string[], GlobSet>> = { allow: new WeakMap(), deny: new WeakMap() };

/** The indexed set of `patterns`, compiled once per list. */
export function globSet(patterns: readonly string[], side: GlobSide): GlobSet {
  let set = sets[side].get(patterns);
  if (!set) {
    set = new GlobSet(patterns, patterns.map((p) => compile(p, side)), side === "deny");
    sets[side].set(patterns, set);
  }
  return set;
}

/** True when `path` (already normalised) matches any of `patterns`. */
export function matchesAny(path: string, patterns: readonly string[], side: GlobSide): boolean {
  return patterns.length > 0 && globSet(patterns, side).first(path) !== undefined;
}

/** The first of `patterns` that `path` matches, for explanations. */
export function firstMatch(path: string, patterns: readonly string[], side: GlobSide): string | undefined {
  return patterns.length === 0 ? undefined : globSet(patterns, side).first(path);
}
