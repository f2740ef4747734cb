import fc from "fast-check";
import { Minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { checkGlob } from "../../src/engine/glob.js";
import { matcherForDeclaredAgent } from "../../src/engine/agent-matcher.js";
import { agentLabel, changeClause, listPatterns, pathAsset } from "../../src/engine/describe.js";
import { collectChangedPaths, type ChangedPath } from "../../src/engine/paths.js";
import type { RuleContext } from "../../src/engine/rule.js";
import { pathScope } from "../../src/engine/rules/path-scope.js";
import { addedLines, countAddedLines } from "../../src/engine/secrets/added-lines.js";
import { scanAddedLines } from "../../src/engine/secrets/scan.js";
import { compareFindings, sortFindings } from "../../src/engine/sort-findings.js";
import type { AgentActivity, Finding, RuleId, Verdict } from "../../src/engine/types.js";
import { mergeBaseline } from "../../src/policy/merge-baseline.js";
import { makeFacts, makePolicy, NOW } from "./fixtures.js";

/** One glob as the engine compiles it, tried on its own: what every index must agree with. */
function mm(pattern: string, nocase: boolean): Minimatch {
  return new Minimatch(pattern, { dot: true, nocase, nocomment: true, nonegate: true, noext: true });
}

/** path-scope as it reads when each agent's lists are tried glob by glob, path by path. */
function naivePathScope(agents: readonly AgentActivity[], files: readonly ChangedPath[], scopes: Record<string, { allow: string[]; deny: string[] }>): Finding[] {
  return agents.flatMap((agent) => {
    const { allow, deny } = scopes[agent.key]!;
    return files.flatMap((file): Finding[] => {
      const denied = deny.find((p) => mm(p, true).match(file.path));
      let reason: string | undefined;
      if (denied !== undefined) reason = `matches its denied paths (${denied})`;
      else if (allow.length === 0) reason = "is not allowed: its policy allows no paths (paths.allow is empty)";
      else if (!allow.some((p) => mm(p, false).match(file.path))) reason = `is outside its allowed paths (${listPatterns(allow)})`;
      if (reason === undefined) return [];
      return [
        {
          ruleId: "path-scope",
          verdict: "deny",
          asset: pathAsset(file),
          agent: agent.key,
          ...(agent.owner !== undefined ? { owner: agent.owner } : {}),
          message: `${agentLabel(agent)} ${changeClause(file)} ${reason}.`,
          remedy: `If this agent should change ${file.path}, have the owner widen agents.${agent.key}.paths.`,
        },
      ];
    });
  });
}

const segment = fc.constantFrom("src", "SRC", "Src", "lib", "a", "b", ".github", ".GitHub", "workflows", ".env", ".ENV", "x.ts", "y.TS", "a.b.ts", "secret.pem", "id_rsa", "CODEOWNERS", "svc-1", "svc-10", "svc-2", "node_modules", ".hidden");
const globSegment = fc.oneof(
  { weight: 3, arbitrary: segment },
  fc.constantFrom("*", "**", "*.ts", "*.TS", "*.b.ts", "*.pem", ".*", "x*", "*-1", "svc-?", "svc-1*", "{a,b}", "{src,lib}", "{src/**,lib}", "{*.ts,*.pem}", ".env.*", "[ab]", "[!a]*", "*.{ts,pem}"),
);
// Only globs a policy accepts (the schema refuses the others before the engine sees them).
const glob = fc
  .array(globSegment, { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join("/"))
  .filter((g) => checkGlob(g) === undefined);
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/"));
const scope = fc.record({ allow: fc.array(glob, { maxLength: 5 }), deny: fc.array(glob, { maxLength: 4 }) });

function declared(key: string, owner?: string): AgentActivity {
  return { key, declared: true, name: key, ...(owner !== undefined ? { owner } : {}), evidence: [] };
}

function context(scopes: Record<string, { allow: string[]; deny: string[] }>, agents: AgentActivity[], paths: readonly { path: string; previousPath?: string }[]): RuleContext {
  const policy = makePolicy({
    agents: Object.fromEntries(Object.entries(scopes).map(([key, paths]) => [key, { owner: "@acme/team", match: { emails: [`${key}@bots.example`] }, paths }])),
  });
  const files = paths.map((p) => ({ path: p.path, status: p.previousPath !== undefined ? ("renamed" as const) : ("modified" as const), additions: 1, deletions: 0, ...(p.previousPath !== undefined ? { previousPath: p.previousPath } : {}) }));
  const facts = makeFacts({ files });
  return { policy, facts, agents, files: collectChangedPaths(files), now: NOW };
}

describe("path-scope on a policy's joined, indexed scopes", () => {
  it("gives exactly the findings of trying each agent's globs in turn on each path, whichever agents are in the change", () => {
    fc.assert(
      fc.property(
        fc.array(scope, { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ path, previousPath: fc.option(path, { nil: undefined }) }), { minLength: 1, maxLength: 15 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (lists, paths, present) => {
          const scopes = Object.fromEntries(lists.map((s, i) => [`agent-${i}`, s]));
          // Some agents of the policy are in the change, some not (an index over all of them must not leak one into another).
          const agents = lists.map((_, i) => declared(`agent-${i}`, i % 2 === 0 ? "@acme/team" : undefined)).filter((_, i) => present[i]);
          const ctx = context(scopes, agents, paths);
          expect(sortFindings(pathScope.evaluate(ctx))).toEqual(sortFindings(naivePathScope(agents, ctx.files, scopes)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps agents whose globs share a prefix, a name or an extension apart", () => {
    const scopes = {
      one: { allow: ["services/svc-1/**", "**/*.svc-1.ts"], deny: ["services/svc-1/secrets/**"] },
      ten: { allow: ["services/svc-10/**"], deny: ["**/*.KEY"] },
      docs: { allow: ["docs/**"], deny: [] },
    };
    const agents = [declared("docs"), declared("one", "@acme/one"), declared("ten", "@acme/ten")];
    const paths = ["services/svc-1/a.ts", "services/svc-10/a.ts", "services/svc-1/secrets/x", "SERVICES/svc-1/a.ts", "lib/x.svc-1.ts", "services/svc-10/id.key", "docs/readme.md"].map((p) => ({ path: p }));
    const ctx = context(scopes, agents, paths);
    const found = sortFindings(pathScope.evaluate(ctx)).map((f) => `${f.agent} ${f.asset.value} ${f.message.includes("denied") ? "denied" : "outside"}`);
    expect(found).toEqual([
      "docs SERVICES/svc-1/a.ts outside",
      "one SERVICES/svc-1/a.ts outside",
      "ten SERVICES/svc-1/a.ts outside",
      "one docs/readme.md outside",
      "ten docs/readme.md outside",
      "docs lib/x.svc-1.ts outside",
      "ten lib/x.svc-1.ts outside",
      "docs services/svc-1/a.ts outside",
      "ten services/svc-1/a.ts outside",
      "docs services/svc-1/secrets/x outside",
      "one services/svc-1/secrets/x denied",
      "ten services/svc-1/secrets/x outside",
      "docs services/svc-10/a.ts outside",
      "one services/svc-10/a.ts outside",
      "docs services/svc-10/id.key outside",
      "one services/svc-10/id.key outside",
      "ten services/svc-10/id.key denied",
    ]);
    expect(found).toEqual(sortFindings(naivePathScope(agents, ctx.files, scopes)).map((f) => `${f.agent} ${f.asset.value} ${f.message.includes("denied") ? "denied" : "outside"}`));
  });

  it("names the first of an agent's own deny globs that matches, in its list order, even when other agents' globs come between", () => {
    const scopes = {
      a: { allow: ["**"], deny: ["**/*.pem", "certs/**"] },
      b: { allow: ["**"], deny: ["certs/**", "**/*.pem"] },
    };
    const ctx = context(scopes, [declared("a"), declared("b")], [{ path: "certs/server.PEM" }]);
    expect(pathScope.evaluate(ctx).map((f) => f.message)).toEqual([
      "a (owner unknown) changed certs/server.PEM, which matches its denied paths (**/*.pem).",
      "b (owner unknown) changed certs/server.PEM, which matches its denied paths (certs/**).",
    ]);
  });
});

const RULES: RuleId[] = ["path-scope", "secret-file", "governance-file", "step-up", "branch-scope"];
const finding = fc.record(
  {
    ruleId: fc.constantFrom(...RULES),
    verdict: fc.constantFrom<Verdict>("deny", "step_up", "allow"),
    asset: fc.record(
      { kind: fc.constantFrom("path" as const, "branch" as const), value: fc.constantFrom("a", "b", "B", "a/b", ""), previousPath: fc.constantFrom("", "a", "z") },
      { requiredKeys: ["kind", "value"] },
    ),
    agent: fc.constantFrom("devin", "copilot", "Devin", ""),
    owner: fc.constantFrom("@acme/a", "@acme/b"),
    message: fc.constantFrom("m1", "m2"),
    line: fc.integer({ min: 1, max: 3 }),
    approved: fc.boolean(),
  },
  { requiredKeys: ["ruleId", "verdict", "asset", "message"] },
) as fc.Arbitrary<Finding>;

/** The order the decision promises: a stable sort on every field, and the first of each run of equal findings. */
function naiveSort(findings: readonly Finding[]): Finding[] {
  const sorted = [...findings].sort(compareFindings);
  return sorted.filter((f, i) => i === 0 || compareFindings(sorted[i - 1]!, f) !== 0);
}

describe("sorting findings on ranks", () => {
  it("gives the order and the very findings that comparing every field gives, with and without packing", () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 60 }), (findings) => {
        const expected = naiveSort(findings);
        for (const sorted of [sortFindings(findings), sortFindings(findings, 0)]) {
          expect(sorted.length).toBe(expected.length);
          sorted.forEach((f, i) => expect(f).toBe(expected[i]));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("reading patches once", () => {
  const patchLine = fc.oneof(
    fc.constantFrom("@@ -1,2 +1,3 @@", "@@ -0,0 +5 @@ ctx", "@@ not a header", "@@", "@", "+", "+x", "+x\r", "-y", " z", "", "\\ No newline at end of file", "++", "+@@ -1 +1 @@"),
    fc.string({ maxLength: 6 }),
  );

  it("counts exactly the added lines that reading them one by one finds", () => {
    fc.assert(
      fc.property(fc.array(patchLine, { maxLength: 25 }), fc.constantFrom("\n", "\r\n"), (lines, eol) => {
        const patch = lines.join(eol);
        expect(countAddedLines(patch)).toBe([...addedLines(patch)].length);
      }),
      { numRuns: 1000 },
    );
  });

  it("finds a credential on any added line of a long patch, and none on a removed or context line", () => {
    const ghp = `ghp_${"A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"}`;
    const lines = Array.from({ length: 200 }, (_, i) => `+const value${i} = ${i};`);
    const at = (i: number, line: string) => ["@@ -0,0 +1,200 @@", ...lines.slice(0, i), line, ...lines.slice(i + 1)].join("\n");
    expect(scanAddedLines(at(150, `+token = "${ghp}"`)).map((h) => [h.detector, h.line])).toEqual([["github-token", 151]]);
    expect(scanAddedLines(at(150, `-token = "${ghp}"`))).toEqual([]);
    expect(scanAddedLines(at(150, ` token = "${ghp}"`))).toEqual([]);
  });
});

describe("compiled once per policy", () => {
  const devin = { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["src/**"], deny: ["src/auth/**"] } };
  const agents = { devin };

  it("merges the same baseline and repository policy into the same policy object, so the engine's compiled forms of it are reused", () => {
    const baseline = makePolicy({ agents, repos_may_declare_agents: true });
    const repo = makePolicy({ agents: { devin: { ...devin, paths: { allow: ["src/app/**"] } } } });
    const merged = mergeBaseline(baseline, repo);
    expect(mergeBaseline(baseline, repo)).toBe(merged);
    expect(merged.policy.agents.devin!.paths.allow).toEqual(["src/app/**"]);
    // Another parse of the same text is another policy: merged on its own, to an equal result.
    const again = mergeBaseline(baseline, makePolicy({ agents: { devin: { ...devin, paths: { allow: ["src/app/**"] } } } }));
    expect(again).not.toBe(merged);
    expect(again).toEqual(merged);
  });

  it("keeps an agent's matcher when a grant or a merge gives the agent a new object with the same identities", () => {
    const agent = makePolicy({ agents }).agents.devin!;
    const widened = { ...agent, paths: { ...agent.paths, allow: [...agent.paths.allow, "infra/**"] } };
    expect(matcherForDeclaredAgent(widened)).toBe(matcherForDeclaredAgent(agent));
  });
});
