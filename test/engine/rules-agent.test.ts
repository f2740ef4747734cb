import { describe, expect, it } from "vitest";
import type { RuleId } from "../../src/engine/types.js";
import { actor, commit, devinFacts, devinPolicy, evaluate, makeFacts, makePolicy, renamed, summarize, who } from "./fixtures.js";

const only = (rule: RuleId, lines: string[]) => lines.filter((l) => l.startsWith(`${rule} `));

describe("policy-self-edit", () => {
  it.each([
    ["the policy file", [".agent-policy.yml"], [".agent-policy.yml"]],
    ["the policy file in another case", [".Agent-Policy.yml"], [".Agent-Policy.yml"]],
    ["the policy file through '..'", ["src/../.agent-policy.yml"], [".agent-policy.yml"]],
    ["another policy path the shell names", ["config/agents.yml"], ["config/agents.yml"]],
    ["a file below the policy's path, turning it into a directory", [".agent-policy.yml/rules.yml"], [".agent-policy.yml/rules.yml"]],
    ["the directory holding a policy path (a file or link in its place)", ["config"], ["config"]],
    ["an unrelated file", ["src/app.ts"], []],
    ["a file that only starts like the policy", [".agent-policy.yml.bak", "configs/agents.yml"], []],
  ])("denies an agent that changes %s", (_name, paths, assets) => {
    const facts = devinFacts({ paths, policyPaths: [".agent-policy.yml", "config/agents.yml"] });
    expect(only("policy-self-edit", summarize(evaluate(devinPolicy(), facts)))).toEqual(
      assets.map((a) => `policy-self-edit deny ${a} devin`),
    );
  });

  it("catches the old side of a rename", () => {
    const decision = evaluate(devinPolicy(), devinFacts({ files: [renamed(".agent-policy.yml", "docs/old-policy.yml")] }));
    const finding = decision.findings.find((f) => f.ruleId === "policy-self-edit");
    expect(finding?.asset).toEqual({ kind: "policy", value: ".agent-policy.yml", previousPath: "docs/old-policy.yml" });
    expect(finding?.message).toBe(
      "devin (owner @acme/platform) renamed .agent-policy.yml to docs/old-policy.yml, and .agent-policy.yml is the agent policy this change is judged by; only a human may change it.",
    );
  });

  it("says how a path below or above the policy changes it", () => {
    const facts = devinFacts({ paths: [".agent-policy.yml/x.yml", "config"], policyPaths: [".agent-policy.yml", "config/agents.yml"] });
    expect(evaluate(devinPolicy(), facts).findings.filter((f) => f.ruleId === "policy-self-edit").map((f) => f.message)).toEqual([
      "devin (owner @acme/platform) changed .agent-policy.yml/x.yml, which would turn into a directory the agent policy this change is judged by; only a human may change it.",
      "devin (owner @acme/platform) changed config, which is a directory holding the agent policy this change is judged by; only a human may change it.",
    ]);
  });

  it("does not fire for a human", () => {
    const decision = evaluate(devinPolicy(), makeFacts({ actors: [actor("pr_author", who.alice)], paths: [".agent-policy.yml"] }));
    expect(decision.findings).toEqual([]);
    expect(decision.verdict).toBe("allow");
  });
});

describe("unregistered-agent", () => {
  it("denies a catalogue assistant the policy does not declare, with the YAML to register it", () => {
    const decision = evaluate(makePolicy(), makeFacts({ actors: [actor("pr_author", who.copilotAgent)] }));
    expect(decision.verdict).toBe("deny");
    expect(decision.findings).toEqual([
      {
        ruleId: "unregistered-agent",
        verdict: "deny",
        asset: { kind: "agent", value: "copilot-coding-agent" },
        agent: "copilot-coding-agent",
        message:
          "GitHub Copilot coding agent (copilot-coding-agent, unregistered, no owner) is not declared in .agent-policy.yml (seen as PR author Copilot (id 198982749)); its activity is denied until a maintainer registers it with an owner.",
        remedy:
          'copilot-coding-agent:\n  owner: "@your-org/your-team"\n  match: { catalogue: [copilot-coding-agent] }\n  paths: { allow: ["src/**"] }',
      },
    ]);
  });

  it("does not fire for a declared assistant", () => {
    expect(only("unregistered-agent", summarize(evaluate(devinPolicy(), devinFacts())))).toEqual([]);
  });

  it("points at match.catalogue when the key is already taken by a declared agent", () => {
    const policy = makePolicy({ agents: { jules: { owner: "@alice", match: { logins: ["someone-else[bot]"] } } } });
    const [finding] = evaluate(policy, makeFacts({ actors: [actor("pr_author", who.jules)] })).findings;
    expect(finding?.remedy).toBe('Add "jules" to agents.jules.match.catalogue in .agent-policy.yml, or declare it under another name.');
  });
});

describe("agent-expired", () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ["date-only, on the day", "2026-06-15", "2026-06-15T23:59:59.999Z", false],
    ["date-only, the next midnight UTC", "2026-06-15", "2026-06-16T00:00:00.000Z", true],
    ["date-only, the day before", "2026-06-15", "2026-06-14T00:00:00.000Z", false],
    ["date-time, a millisecond before", "2026-06-15T10:00:00+02:00", "2026-06-15T07:59:59.999Z", false],
    ["date-time, exactly at", "2026-06-15T10:00:00+02:00", "2026-06-15T08:00:00.000Z", true],
    ["date-time, after", "2026-06-15T08:00:00Z", "2027-01-01T00:00:00.000Z", true],
  ])("%s", (_name, expires, now, expired) => {
    const lines = summarize(evaluate(devinPolicy({ expires }), devinFacts(), at(now)));
    expect(only("agent-expired", lines)).toEqual(expired ? ["agent-expired deny devin devin"] : []);
  });

  it("does not fire without expires", () => {
    expect(only("agent-expired", summarize(evaluate(devinPolicy(), devinFacts())))).toEqual([]);
  });

  it("explains which grant ended", () => {
    const decision = evaluate(devinPolicy({ expires: "2026-01-31" }), devinFacts());
    expect(decision.findings[0]?.message).toBe("devin (owner @acme/platform) acted after its grant expired (expires: 2026-01-31).");
  });
});

describe("agent-suspended", () => {
  it.each([
    [true, ["agent-suspended deny devin devin"]],
    [false, []],
  ])("suspended: %s", (suspended, expected) => {
    expect(only("agent-suspended", summarize(evaluate(devinPolicy({ suspended }), devinFacts())))).toEqual(expected);
  });
});

describe("branch-scope", () => {
  it.each([
    ["no branches set: any branch", undefined, "anything", []],
    ["inside", ["devin/**"], "devin/fix-1", []],
    ["outside", ["devin/**"], "main", ["branch-scope deny main devin"]],
    ["case as stored", ["devin/**"], "Devin/fix-1", ["branch-scope deny Devin/fix-1 devin"]],
    ["empty list: no branch", [], "devin/fix-1", ["branch-scope deny devin/fix-1 devin"]],
  ])("%s", (_name, branches, headRef, expected) => {
    const policy = devinPolicy(branches === undefined ? {} : { branches });
    expect(only("branch-scope", summarize(evaluate(policy, devinFacts({ headRef }))))).toEqual(expected);
  });

  it("does not apply to an unregistered agent (it is denied as such)", () => {
    const facts = makeFacts({ actors: [actor("pr_author", who.jules)], headRef: "main" });
    expect(summarize(evaluate(devinPolicy({ branches: ["devin/**"] }), facts))).toEqual(["unregistered-agent deny jules jules"]);
  });

  it("names the allowed branches", () => {
    const decision = evaluate(devinPolicy({ branches: ["devin/**"] }), devinFacts({ headRef: "main" }));
    expect(decision.findings[0]?.message).toBe("devin (owner @acme/platform) worked on branch main, but it may only work on devin/**.");
  });
});

describe("agent rules on commits only", () => {
  it("applies to an assistant seen only through a commit trailer", () => {
    const policy = makePolicy({
      agents: { "claude-local": { owner: "@alice", match: { catalogue: ["claude-code"] }, paths: { allow: ["src/**"] }, suspended: true } },
    });
    const facts = makeFacts({
      actors: [actor("pr_author", who.alice)],
      commits: [commit({ message: "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>" })],
    });
    expect(summarize(evaluate(policy, facts))).toEqual(["agent-suspended deny claude-local claude-local"]);
  });
});
