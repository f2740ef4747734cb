import fc from "fast-check";
import { Minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { firstMatch, matchesAny, type GlobSide } from "../../src/engine/glob.js";
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

  it("answer nothing for an empty list", () => {
    expect(firstMatch("src/a.ts", [], "allow")).toBeUndefined();
    expect(matchesAny("src/a.ts", [], "deny")).toBe(false);
  });
});
