import type { Minimatch } from "minimatch";

/** The lookup keys of one path: its leading directories and itself, its name, the extensions of its name. */
interface PathKeys {
  prefixes: string[];
  name: string;
  extensions: string[];
}

function computeKeys(key: string): PathKeys {
  const prefixes: string[] = [];
  for (let slash = key.indexOf("/"); slash !== -1; slash = key.indexOf("/", slash + 1)) prefixes.push(key.slice(0, slash));
  prefixes.push(key);
  const name = key.slice(key.lastIndexOf("/") + 1);
  const extensions: string[] = [];
  for (let dot = name.indexOf("."); dot !== -1; dot = name.indexOf(".", dot + 1)) extensions.push(name.slice(dot));
  return { prefixes, name, extensions };
}

// The same paths are looked up in every glob set of an evaluation (each agent's, each rule's): their
// keys are computed once. Bounded: cleared when it grows past what a few large changes need.
const keysCache = new Map<string, PathKeys>();

function keysOf(key: string): PathKeys {
  let keys = keysCache.get(key);
  if (!keys) {
    if (keysCache.size >= 50_000) keysCache.clear();
    keysCache.set(key, (keys = computeKeys(key)));
  }
  return keys;
}

const NONE: readonly number[] = [];

/** A segment with no glob syntax in it (braces are already expanded in `globParts`). */
const LITERAL_SEGMENT = /^[^*?[\]\\]+$/;
/** A last segment `*.ext`: it can only match names that end in `.ext`. */
const EXTENSION_SEGMENT = /^\*(\.[^*?[\]\\/]+)$/;
/** A last segment that starts with a literal (`id_rsa*`, `.env.*`): it can only match names that start with it. */
const NAME_PREFIX_SEGMENT = /^([^*?[\]\\]+)[*?[]/;
/** Text outside ASCII: where lower-casing is not the case folding minimatch applies (see `GlobSet`). */
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * A list of globs compiled once and indexed, so a path is tested only against
 * the globs that could match it:
 *
 * - a glob whose first segments are literal (`services/api/**`) only against
 *   paths that start with those segments;
 * - a glob that starts with a wildcard and ends in a literal name (any
 *   `.npmrc`) only against paths with that name, one ending in `*.ext`
 *   (any `*.pem`) only against names ending in `.ext`, and one ending in a
 *   name that starts with a literal (any `id_rsa*`) only against names that
 *   start with it;
 * - any other glob against every path.
 *
 * The index only narrows the candidates; each candidate is still matched by
 * minimatch, in list order, so the result is exactly what testing every glob
 * in turn would give. Case-insensitive sets index lower-cased keys, which is
 * minimatch's case folding only within ASCII (it folds `ſ` to `s` and `ς` to
 * `σ`, lower-casing does not): there, a glob whose key is not ASCII is tried
 * on every path, and a path that is not ASCII against every glob.
 */
export class GlobSet {
  private readonly byPrefix = new Map<string, number[]>();
  private readonly byName = new Map<string, number[]>();
  private readonly byExtension = new Map<string, number[]>();
  /** Literal start of a name → globs; by the length of that start, shortest first (`lengths`). */
  private readonly byNameStart = new Map<number, Map<string, number[]>>();
  private readonly nameStartLengths: number[] = [];
  private readonly everywhere: number[] = [];
  /** Every glob, for a path that the keys of a case-insensitive set cannot be trusted on. */
  private readonly every: readonly number[];

  constructor(
    readonly patterns: readonly string[],
    private readonly compiled: readonly Minimatch[],
    private readonly nocase: boolean,
  ) {
    compiled.forEach((mm, index) => {
      for (const parts of mm.globParts) this.index(parts, index);
    });
    this.nameStartLengths.push(...[...this.byNameStart.keys()].sort((a, b) => a - b));
    this.every = compiled.map((_, index) => index);
  }

  private index(parts: readonly string[], index: number): void {
    const key = (text: string) => (this.nocase ? text.toLowerCase() : text);
    const add = (map: Map<string, number[]>, k: string) => {
      const list = map.get(k);
      if (!list) map.set(k, [index]);
      else if (list.at(-1) !== index) list.push(index);
    };
    const everywhere = () => {
      if (this.everywhere.at(-1) !== index) this.everywhere.push(index);
    };
    // A key is used only where it is exactly what a path must hold (see the class comment).
    const keyed = (map: Map<string, number[]>, text: string) => (this.nocase && NON_ASCII.test(text) ? everywhere() : add(map, key(text)));
    let literal = 0;
    while (literal < parts.length && LITERAL_SEGMENT.test(parts[literal]!)) literal++;
    if (literal > 0) return keyed(this.byPrefix, parts.slice(0, literal).join("/"));
    const last = parts.at(-1) ?? "";
    if (LITERAL_SEGMENT.test(last)) return keyed(this.byName, last);
    const extension = EXTENSION_SEGMENT.exec(last);
    if (extension) return keyed(this.byExtension, extension[1]!);
    const nameStart = NAME_PREFIX_SEGMENT.exec(last);
    if (nameStart) {
      const start = nameStart[1]!;
      let byStart = this.byNameStart.get(start.length);
      if (!byStart) this.byNameStart.set(start.length, (byStart = new Map()));
      return keyed(byStart, start);
    }
    everywhere();
  }

  /** The first glob in list order that matches `path`, or undefined. */
  first(path: string): string | undefined {
    const index = this.firstIndex(path);
    return index === -1 ? undefined : this.patterns[index];
  }

  /** The position in the list of the first glob that matches `path`, or -1. */
  firstIndex(path: string): number {
    for (const index of this.candidates(path)) {
      if (this.compiled[index]!.match(path)) return index;
    }
    return -1;
  }

  /**
   * Tests, in list order, each glob that could match `path` and that
   * `wanted(index)` still accepts when its turn comes, and calls
   * `matched(index)` for each that matches: a caller that only needs the
   * first match of each group of globs says so through `wanted`.
   */
  visit(path: string, wanted: (index: number) => boolean, matched: (index: number) => void): void {
    let last = -1;
    for (const index of this.candidates(path)) {
      if (index === last) continue;
      last = index;
      if (wanted(index) && this.compiled[index]!.match(path)) matched(index);
    }
  }

  /** Every glob that matches `path`, as indices into the list, in list order. */
  all(path: string): number[] {
    const matched: number[] = [];
    for (const index of this.candidates(path)) {
      if (matched.at(-1) !== index && this.compiled[index]!.match(path)) matched.push(index);
    }
    return matched;
  }

  private candidates(path: string): readonly number[] {
    if (this.nocase && NON_ASCII.test(path)) return this.every;
    const keys = keysOf(this.nocase ? path.toLowerCase() : path);
    let first: number[] | undefined;
    let merged: number[] | undefined;
    const take = (list: number[] | undefined) => {
      if (!list) return;
      if (!first) first = list;
      else {
        merged ??= first.slice();
        for (const index of list) merged.push(index);
      }
    };
    if (this.byPrefix.size > 0) for (const prefix of keys.prefixes) take(this.byPrefix.get(prefix));
    if (this.byName.size > 0) take(this.byName.get(keys.name));
    if (this.byExtension.size > 0) for (const extension of keys.extensions) take(this.byExtension.get(extension));
    for (const length of this.nameStartLengths) {
      if (length > keys.name.length) break;
      take(this.byNameStart.get(length)!.get(keys.name.slice(0, length)));
    }
    if (this.everywhere.length > 0) take(this.everywhere);
    if (!first) return NONE;
    return merged ? merged.sort((a, b) => a - b) : first;
  }
}
