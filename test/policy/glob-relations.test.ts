import { minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { commonPath, pathOutside, type GlobSet } from "../../src/policy/glob-relations.js";

const allow = (...patterns: string[]): GlobSet => ({ patterns, side: "allow" });
const deny = (...patterns: string[]): GlobSet => ({ patterns, side: "deny" });
const matches = (path: string, set: GlobSet) => set.patterns.some((p) => minimatch(path, p, { dot: true, nocase: set.side === "deny" }));

describe("glob relations, decided exactly and checked against minimatch", () => {
  it("finds a path two globs share, or says there is none", () => {
    const cases: [GlobSet, GlobSet, boolean][] = [
      [allow("src/**"), allow("src/app/**"), true],
      [allow("*.ts"), allow("src/*"), false],
      [allow("**/*.ts"), allow("src/*"), true],
      [allow("docs/**"), allow("src/**"), false],
      [allow("a/**"), allow("a"), false],
      [allow("src/**/*"), allow("src"), false],
      [allow("a**b"), allow("a/b"), false],
      [allow("{a,b}/x"), allow("b/*"), true],
      [allow("[a-c]*"), allow("d*"), false],
      [allow("[!a]x"), allow("ax"), false],
      [allow("[!a]x"), deny("ax"), true],
      [allow(".env"), allow("**/.ENV"), false],
      [allow(".env"), deny("**/.ENV"), true],
      [allow("**"), allow(".github/workflows/*.yml"), true],
      [allow("x/?"), allow("x/ab"), false],
    ];
    for (const [a, b, shared] of cases) {
      const path = commonPath(a, b);
      expect({ a: a.patterns, b: b.patterns, shared: typeof path === "string" }).toEqual({ a: a.patterns, b: b.patterns, shared });
      if (typeof path === "string") expect([matches(path, a), matches(path, b)]).toEqual([true, true]);
    }
  });

  it("finds a path one glob matches and a set does not, or shows the set covers it", () => {
    const cases: [GlobSet, GlobSet, boolean][] = [
      [allow("src/app/**"), allow("src/**"), true],
      [allow("src/**"), allow("src/*", "src/*/**"), true],
      [allow("src/**"), allow("src/app/**"), false],
      [allow("**/*.pem"), allow("**"), true],
      [allow("*.md"), allow("docs/**"), false],
      [allow("src/*.{ts,js}"), allow("src/*.ts", "src/*.js"), true],
      [allow("Src/**"), allow("src/**"), false],
      [allow("Src/**"), deny("src/**"), true],
    ];
    for (const [inner, outer, covered] of cases) {
      const path = pathOutside(inner, outer);
      expect({ inner: inner.patterns, outer: outer.patterns, covered: path === undefined }).toEqual({ inner: inner.patterns, outer: outer.patterns, covered });
      if (typeof path === "string") expect([matches(path, inner), matches(path, outer)]).toEqual([true, false]);
    }
  });

  it("counts a path as outside when an exclusion takes it", () => {
    const path = pathOutside(allow("src/**"), allow("**"), deny("src/secret/**"));
    expect(path).toBe("src/secret/a");
  });
});
