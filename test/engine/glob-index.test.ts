import fc from "fast-check";
import { Minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { checkGlob, firstMatch, globSet, matchesAny, type GlobSide } from "../../src/engine/glob.js";
import { BUILTIN_GOVERNANCE_FILES } from "../../src/engine/rules/governance-file.js";
import { BUILTIN_SECRET_FILES } from "../../src/engine/rules/secret-file.js";

/** What the indexed sets must agree with: every glob tried in list order with minimatch. */
function naiveFirst(path: string, patterns: readonly string[], side: GlobSide): string | undefined {
  return patterns.find((p) => new Minimatch(p, { dot: true, nocase: side === "deny", nocomment: true, nonegate: true, noext: true }).match(path));
}

const segment = fc.constantFrom("src", "SRC", "lib", "a", "b", ".github", "workflows", ".env", "x.ts", "y.TS", "secret.pem", "id_rsa", "package.json", "CODEOWNERS", "svc-1", "svc-2");
const globSegment = fc.oneof(segment, fc.constantFrom("*", "**", "*.ts", "*.pem", "x*", "*-1", "{a,b}", "{src,lib}", "svc-?", ".env.*", "[ab]"));
const pattern = fc.array(globSegment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/"));
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("/"));

describe("indexed glob sets", () => {
  it("give exactly the first match that trying every glob in order gives, on both sides", () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 12 }), fc.array(path, { minLength: 1, maxLength: 20 }), fc.constantFrom<GlobSide>("allow", "deny"), (patterns, paths, side) => {
        for (const p of paths) {
          expect(firstMatch(p, patterns, side)).toBe(naiveFirst(p, patterns, side));
          expect(matchesAny(p, patterns, side)).toBe(naiveFirst(p, patterns, side) !== undefined);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("agree on the built-in secret and governance lists, whose globs the index splits by name, extension and prefix", () => {
    const paths = [".env", "a/.ENV.local", "deploy/key.PEM", "x/id_rsa.pub", ".github/workflows/ci.yml", ".GitHub/Workflows/x.yml", "docs/AGENTS.md", "src/CLAUDE.md", "CODEOWNERS", "a/b/.aws/credentials", "terraform.tfstate.backup", "src/app.ts", ".github", ".vscode/mcp.json"];
    for (const list of [BUILTIN_SECRET_FILES, BUILTIN_GOVERNANCE_FILES]) {
      for (const p of paths) expect(firstMatch(p, list, "deny")).toBe(naiveFirst(p, list, "deny"));
    }
  });

  // Wider: dot-files, every case, characters that minimatch folds but lower-casing does not (`ſ` is `s`,
  // `ς` is `σ`, the Kelvin sign is `k`), names with several dots, and globs that start a name with a literal.
  const wideSegment = fc.constantFrom(
    "src", "SRC", "ſrc", "lib", "a", "b", ".github", ".GITHUB", "workflows", ".env", ".env.local", ".ENV.Local", "x.ts", "y.TS", "a.b.ts",
    "secret.pem", "SECRET.PEM", "id_rsa", "ID_RSA.pub", "id_rſa", "σ.pem", "ς.pem", "Σ.PEM", "\u212Aey", "key", "CODEOWNERS", "svc-1", "svc-10", "ß", "ẞ", "ss", "İ", "ı", "i",
  );
  const wideGlobSegment = fc.oneof(
    { weight: 3, arbitrary: wideSegment },
    fc.constantFrom("*", "**", "*.ts", "*.pem", "*.PEM", "*.σ.pem", ".*", "x*", "id_rsa*", "ID_*", ".env.*", "svc-?", "svc-1*", "{a,b}", "{src,lib}", "{src/**,lib}", "{*.ts,*.pem}", "*.{ts,pem}", "[ab]", "[!a]*", "[a-z]*", "key*", "ſ*"),
  );
  const widePattern = fc
    .array(wideGlobSegment, { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join("/"))
    .filter((g) => checkGlob(g) === undefined);
  const widePath = fc.array(wideSegment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/"));

  it("give exactly what minimatch gives glob by glob, for the first match and for every match, over dot-files, case and case folding", () => {
    fc.assert(
      fc.property(fc.array(widePattern, { minLength: 1, maxLength: 16 }), fc.array(widePath, { minLength: 1, maxLength: 20 }), fc.constantFrom<GlobSide>("allow", "deny"), (patterns, paths, side) => {
        const set = globSet(patterns, side);
        for (const p of paths) {
          const every = patterns.flatMap((g, i) => (naiveFirst(p, [g], side) !== undefined ? [i] : []));
          expect(set.all(p)).toEqual(every);
          expect(set.firstIndex(p)).toBe(every[0] ?? -1);
          expect(firstMatch(p, patterns, side)).toBe(naiveFirst(p, patterns, side));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("let no deny glob be dodged by a character minimatch folds to the glob's own", () => {
    // Each path matches its deny glob case-insensitively as minimatch folds case, though lower-casing differs.
    for (const [path, glob] of [
      ["ſecrets/db.yml", "secrets/**"],
      ["deploy/id_rſa", "**/id_rsa*"],
      ["a/x.ſh", "**/*.sh"],
      ["a/ς.pem", "**/σ.pem"],
      ["certs/\u212Aey.pem", "certs/key.pem"],
      ["ſecrets", "secrets"],
    ] as const) {
      expect(naiveFirst(path, [glob], "deny")).toBe(glob);
      expect(firstMatch(path, [glob], "deny")).toBe(glob);
      expect(firstMatch(path, ["unrelated/**", glob, "**/*.other"], "deny")).toBe(glob);
    }
    // A glob written with such a character still matches the plain ASCII path.
    expect(firstMatch("secrets/db.yml", ["ſecrets/**"], "deny")).toBe("ſecrets/**");
    expect(firstMatch("ſecrets/db.yml", ["secrets/**"], "allow")).toBeUndefined();
  });

  it("answer nothing for an empty list", () => {
    expect(firstMatch("src/a.ts", [], "allow")).toBeUndefined();
    expect(matchesAny("src/a.ts", [], "deny")).toBe(false);
  });
});
