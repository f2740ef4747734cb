import { braceExpand, Minimatch } from "minimatch";
import type { GlobSide } from "../engine/glob.js";

/**
 * Relations between glob sets — "can some path match both?", "is every path
 * this glob matches also matched by those?" — decided exactly, for the policy
 * checks that warn about globs that can never match and about a repository
 * policy wider than its org baseline. Nothing here decides a verdict: the
 * engine matches paths one by one (glob.ts); this only explains policies.
 *
 * Each glob is compiled to a small automaton over characters that follows
 * minimatch's rules as the engine uses them (dot-files included, `**` alone
 * in a segment spans segments and needs at least one below `dir/**`, `**`
 * inside a segment is `*`, brace alternatives, character classes; case
 * ignored on the deny side). Questions are answered by walking the product of
 * the automata, determinised as it goes, over one representative of every
 * kind of character the globs tell apart, and only along well-formed paths
 * (no empty, leading or trailing segment). The walk is breadth-first, so a
 * witness is a shortest example path; it is bounded, and a question it
 * cannot settle within the bound is answered `undefined`.
 */

export interface GlobSet {
  patterns: readonly string[];
  side: GlobSide;
}

type CharTest = (c: string) => boolean;

interface Automaton {
  eps: number[][];
  edges: { test: CharTest; to: number }[][];
  accept: Set<number>;
  /** States from which every well-formed continuation is accepted (inside a trailing `**`). */
  universal: Set<number>;
  /** Characters the globs name, so the alphabet has a representative for each. */
  chars: Set<string>;
}

const MAX_STATES = 20_000;

const notSlash: CharTest = (c) => c !== "/";
const slash: CharTest = (c) => c === "/";

const compiled = new Map<string, Automaton>();

/** One automaton for the union of `set.patterns` (state 0 is the start); the same set compiles once. */
function compile(set: GlobSet): Automaton {
  const cacheKey = `${set.side}\u0000${set.patterns.join("\u0000")}`;
  const known = compiled.get(cacheKey);
  if (known) return known;
  const a: Automaton = { eps: [[]], edges: [[]], accept: new Set(), universal: new Set(), chars: new Set() };
  const nocase = set.side === "deny";
  for (const pattern of set.patterns) {
    for (const alternative of braceExpand(pattern)) {
      const start = addState(a);
      a.eps[0]!.push(start);
      compileAlternative(a, alternative, nocase, start);
    }
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(cacheKey, a);
  return a;
}

function addState(a: Automaton): number {
  a.eps.push([]);
  a.edges.push([]);
  return a.eps.length - 1;
}

function compileAlternative(a: Automaton, pattern: string, nocase: boolean, start: number): void {
  const segments = pattern.split("/");
  let boundary = start;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      // Whole segments, each followed by '/', looping back to the boundary; a trailing `**` needs at least one.
      const inside = addState(a);
      a.edges[boundary]!.push({ test: notSlash, to: inside });
      a.edges[inside]!.push({ test: notSlash, to: inside }, { test: slash, to: boundary });
      if (last) {
        a.accept.add(inside);
        a.universal.add(inside);
      }
      return;
    }
    const end = compileSegment(a, segment, nocase, boundary);
    if (last) {
      a.accept.add(end);
    } else {
      const next = addState(a);
      a.edges[end]!.push({ test: slash, to: next });
      boundary = next;
    }
  });
}

function compileSegment(a: Automaton, segment: string, nocase: boolean, from: number): number {
  let current = from;
  for (let i = 0; i < segment.length; ) {
    const c = segment[i]!;
    if (c === "*") {
      while (segment[i] === "*") i++;
      const loop = addState(a);
      a.eps[current]!.push(loop);
      a.edges[loop]!.push({ test: notSlash, to: loop });
      current = loop;
      continue;
    }
    let test: CharTest;
    const classEnd = c === "[" ? findClassEnd(segment, i) : -1;
    if (c === "?") {
      test = notSlash;
      i++;
    } else if (classEnd > 0) {
      const text = segment.slice(i, classEnd + 1);
      for (const ch of text) addChar(a, ch);
      test = classTest(text, nocase);
      i = classEnd + 1;
    } else {
      addChar(a, c);
      test = nocase ? (x) => x.toLowerCase() === c.toLowerCase() : (x) => x === c;
      i++;
    }
    const next = addState(a);
    a.edges[current]!.push({ test, to: next });
    current = next;
  }
  return current;
}

function addChar(a: Automaton, c: string): void {
  a.chars.add(c);
  a.chars.add(c.toLowerCase());
  a.chars.add(c.toUpperCase());
}

/** Where the bracket expression starting at `start` ends, as minimatch reads it; -1 when `[` is a literal. */
function findClassEnd(segment: string, start: number): number {
  let i = start + 1;
  if (segment[i] === "!" || segment[i] === "^") i++;
  if (segment[i] === "]") i++;
  while (i < segment.length) {
    if (segment.startsWith("[:", i)) {
      const close = segment.indexOf(":]", i + 2);
      if (close < 0) return -1;
      i = close + 2;
      continue;
    }
    if (segment[i] === "]") return i;
    i++;
  }
  return -1;
}

const classCache = new Map<string, CharTest>();

/** A character class tested by minimatch itself, one character at a time, so its reading of ranges and negation is the engine's. */
function classTest(text: string, nocase: boolean): CharTest {
  const key = `${nocase ? "i" : "s"}${text}`;
  let test = classCache.get(key);
  if (!test) {
    const mm = new Minimatch(text, { dot: true, nocase, nocomment: true, nonegate: true, noext: true });
    const results = new Map<string, boolean>();
    test = (c) => {
      if (c === "/") return false;
      let r = results.get(c);
      if (r === undefined) results.set(c, (r = mm.match(c)));
      return r;
    };
    classCache.set(key, test);
  }
  return test;
}

/**
 * One representative of each kind of character the automata tell apart:
 * candidates are printable ASCII, the characters the globs name and one
 * character none of them names; two candidates every edge treats alike are
 * one kind (the first, so letters come first and examples read naturally).
 */
function alphabet(automata: readonly Automaton[]): string[] {
  const chars = new Set<string>();
  for (const c of "abcdefghijklmnopqrstuvwxyz0123456789") chars.add(c);
  for (const a of automata) for (const c of a.chars) chars.add(c);
  for (let code = 0x20; code < 0x7f; code++) chars.add(String.fromCharCode(code));
  chars.add("\u00e9");
  chars.add("\ue000");
  const tests = automata.flatMap((a) => a.edges.flat().map((edge) => edge.test));
  const kinds = new Map<string, string>();
  for (const c of chars) {
    const signature = tests.map((test) => (test(c) ? "1" : "0")).join("");
    if (!kinds.has(signature)) kinds.set(signature, c);
  }
  return [...kinds.values()];
}

function closure(a: Automaton, states: Iterable<number>): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...a.eps[s]!);
  }
  return [...seen].sort((x, y) => x - y);
}

function step(a: Automaton, states: readonly number[], c: string, memo: Map<string, number[]>): number[] {
  const memoKey = `${states.join(",")}|${c}`;
  const known = memo.get(memoKey);
  if (known) return known;
  const next: number[] = [];
  for (const s of states) for (const edge of a.edges[s]!) if (edge.test(c)) next.push(edge.to);
  const result = next.length === 0 ? [] : closure(a, next);
  memo.set(memoKey, result);
  return result;
}

/** Path shape: 0 nothing read, 1 just after '/', 2 inside a segment (the only accepting state); -1 malformed. */
function shape(state: number, c: string): number {
  if (c !== "/") return 2;
  return state === 2 ? 1 : -1;
}

/** What each automaton can still do from here: accept something (`live`), or accept every continuation (`universal`). */
export interface Prospects {
  live: readonly boolean[];
  universal: readonly boolean[];
}

/**
 * The shortest well-formed path whose acceptance by each automaton satisfies
 * `goal`, exploring only while `alive` holds for what the automata can still
 * do; undefined when there is none; `null` when the bound was reached first.
 */
export function findPath(
  sets: readonly GlobSet[],
  goal: (accepts: readonly boolean[]) => boolean,
  alive: (prospects: Prospects) => boolean = ({ live }) => live[0] === true,
): string | undefined | null {
  const automata = sets.map(compile);
  const letters = alphabet(automata);
  const memos = automata.map(() => new Map<string, number[]>());
  const start = automata.map((a) => closure(a, [0]));
  const queue: { states: number[][]; shape: number; path: string }[] = [{ states: start, shape: 0, path: "" }];
  const seen = new Set<string>([key(start, 0)]);
  for (let head = 0; head < queue.length; head++) {
    const { states, shape: at, path } = queue[head]!;
    for (const c of letters) {
      const nextShape = shape(at, c);
      if (nextShape < 0) continue;
      const next = automata.map((a, i) => step(a, states[i]!, c, memos[i]!));
      const prospects = { live: next.map((s) => s.length > 0), universal: next.map((s, i) => s.some((x) => automata[i]!.universal.has(x))) };
      if (!alive(prospects)) continue;
      const nextPath = path + c;
      if (nextShape === 2 && goal(next.map((s, i) => s.some((x) => automata[i]!.accept.has(x))))) return nextPath;
      const k = key(next, nextShape);
      if (seen.has(k)) continue;
      if (seen.size >= MAX_STATES) return null;
      seen.add(k);
      queue.push({ states: next, shape: nextShape, path: nextPath });
    }
  }
  return undefined;
}

function key(states: readonly number[][], at: number): string {
  return `${at}|${states.map((s) => s.join(",")).join("|")}`;
}

/** A path both sets match, undefined when there is none, null when undecided within the bound. */
export function commonPath(a: GlobSet, b: GlobSet): string | undefined | null {
  return findPath([a, b], ([x, y]) => Boolean(x && y), ({ live: [x, y] }) => Boolean(x && y));
}

/**
 * A path `inner` matches that `allowed` does not, or that `excluded` does
 * (every path of `excluded` counts as not allowed): undefined when every path
 * of `inner` is allowed, null when undecided within the bound.
 */
export function pathOutside(inner: GlobSet, allowed: GlobSet, excluded?: GlobSet): string | undefined | null {
  const sets = excluded ? [inner, allowed, excluded] : [inner, allowed];
  // Once `allowed` takes every continuation and `excluded` can take none, no path from here qualifies.
  return findPath(sets, ([i, a, e]) => Boolean(i && (!a || e)), ({ live, universal }) => Boolean(live[0] && !(universal[1] && !live[2])));
}
