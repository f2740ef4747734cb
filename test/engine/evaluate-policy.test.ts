import { describe, expect, it } from "vitest";
import { RULES, describeRule, evaluatePolicy } from "../../src/engine/evaluate-policy.js";
import { RULE_IDS, type ChangeFacts } from "../../src/engine/types.js";
import { actor, commit, devinFacts, devinPolicy, evaluate, file, makeFacts, makePolicy, NOW, renamed, summarize, who } from "./fixtures.js";

describe("evaluatePolicy", () => {
  it("allows a human change with no findings", () => {
    const facts = makeFacts({ actors: [actor("pr_author", who.alice)], commits: [commit()], paths: [".env", ".github/workflows/ci.yml"] });
    expect(evaluate(devinPolicy(), facts)).toEqual({
      verdict: "allow",
      mode: "enforce",
      agentActivity: false,
      agents: [],
      findings: [],
      stepUps: [],
      evaluatedAt: "2026-06-15T12:00:00.000Z",
    });
  });

  it("allows a declared agent inside its scope, and reports its activity", () => {
    const decision = evaluate(devinPolicy(), devinFacts({ paths: ["src/a.ts", "test/a.test.ts"] }));
    expect(decision.verdict).toBe("allow");
    expect(decision.agentActivity).toBe(true);
    expect(decision.agents.map((a) => [a.key, a.declared, a.owner])).toEqual([["devin", true, "@acme/platform"]]);
  });

  it("reports the policy mode and the injected clock", () => {
    const decision = evaluatePolicy(devinPolicy({}, { mode: "audit" }), devinFacts({ paths: [".env"] }), { now: new Date("2030-01-02T03:04:05Z") });
    expect(decision.mode).toBe("audit");
    expect(decision.verdict).toBe("deny");
    expect(decision.evaluatedAt).toBe("2030-01-02T03:04:05.000Z");
  });

  it("orders findings: deny before step_up, then rule id, asset and agent", () => {
    const policy = makePolicy({
      agents: { devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["src/**"] } } },
      step_up: [{ name: "deps", when: { paths: ["package.json"] }, approvers: { users: ["bob"] } }],
    });
    const facts = devinFacts({
      actors: [actor("pr_author", who.devin), actor("sender", who.jules)],
      paths: ["package.json", ".github/workflows/ci.yml", "src/ok.ts", ".env"],
    });
    expect(summarize(evaluate(policy, facts))).toEqual([
      "unregistered-agent deny jules jules",
      "secret-file deny .env devin",
      "secret-file deny .env jules",
      "path-scope deny .env devin",
      "path-scope deny .github/workflows/ci.yml devin",
      "path-scope deny package.json devin",
      "governance-file step_up .github/workflows/ci.yml devin",
      "governance-file step_up .github/workflows/ci.yml jules",
      "step-up step_up package.json devin",
      "step-up step_up package.json jules",
    ]);
  });

  it("the worst verdict wins", () => {
    const stepUpOnly = evaluate(devinPolicy({ paths: { allow: ["**"] } }), devinFacts({ paths: ["CODEOWNERS"] }));
    expect(stepUpOnly.verdict).toBe("step_up");
    const withDeny = evaluate(devinPolicy({ paths: { allow: ["**"] } }), devinFacts({ paths: ["CODEOWNERS", "id_rsa"] }));
    expect(withDeny.verdict).toBe("deny");
  });

  it("does not report the same finding twice for the same path listed twice", () => {
    const decision = evaluate(devinPolicy(), devinFacts({ files: [file(".env"), file(".env"), file("src/../.env")], changedFiles: 2 }));
    expect(summarize(decision)).toEqual(["unsafe-path deny src/../.env devin", "secret-file deny .env devin", "path-scope deny .env devin"]);
  });
});

describe("case tricks and dot-files do not slip past", () => {
  const open = devinPolicy({ paths: { allow: ["**"] } });
  it.each([
    [".ENV", "secret-file deny .ENV devin"],
    [".Agent-Policy.yml", "policy-self-edit deny .Agent-Policy.yml devin"],
    [".GitHub/workflows/ci.yml", "governance-file step_up .GitHub/workflows/ci.yml devin"],
    ["src/../.agent-policy.yml", "policy-self-edit deny .agent-policy.yml devin"],
  ])("%s", (path, expected) => {
    expect(summarize(evaluate(open, devinFacts({ paths: [path] })))).toContain(expected);
  });
});

describe("determinism", () => {
  const policy = makePolicy({
    agents: {
      devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["src/**"], deny: ["src/auth/**"] }, branches: ["devin/**"] },
    },
    step_up: [{ name: "deps", when: { paths: ["**/package.json"] }, approvers: { teams: ["acme/security"] } }],
  });
  const facts: ChangeFacts = devinFacts({
    actors: [actor("pr_author", who.devin), actor("sender", who.jules)],
    commits: [commit({ sha: "1".repeat(40), message: "x\n\nCo-authored-by: Claude <noreply@anthropic.com>" })],
    files: [
      file("src/a.ts"),
      file("src/auth/login.ts"),
      renamed(".env", "config.txt"),
      file(".github/workflows/ci.yml"),
      file("web/package.json"),
      file("src/../x.pem"),
      file("CODEOWNERS", { status: "removed" }),
    ],
  });

  it("gives a deep-equal decision for the same input", () => {
    expect(evaluate(policy, facts)).toEqual(evaluate(policy, structuredClone(facts)));
  });

  it("gives the same decision whatever the order of files and actors", () => {
    const reference = evaluate(policy, facts);
    for (let seed = 1; seed <= 5; seed++) {
      const shuffled = { ...facts, files: shuffle(facts.files, seed), actors: shuffle(facts.actors, seed) };
      expect(evaluate(policy, shuffled)).toEqual(reference);
    }
  });

  it("does not read the clock", () => {
    expect(evaluatePolicy(policy, facts, { now: NOW })).toEqual(evaluatePolicy(policy, facts, { now: new Date(NOW) }));
  });
});

describe("RULES and describeRule", () => {
  it("every engine rule has a unique id and a one-line description", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) expect(rule.describe).toMatch(/^[A-Z][^\n]*\.$/);
  });

  it("describes every rule id, including those the shells emit", () => {
    for (const id of RULE_IDS) expect(describeRule(id)).not.toBe("");
    expect(describeRule("path-scope")).toBe(RULES.find((r) => r.id === "path-scope")?.describe);
    expect(describeRule("policy-invalid")).toContain("policy");
  });
});

/** Deterministic Fisher–Yates with a tiny LCG, so a failure reproduces. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
