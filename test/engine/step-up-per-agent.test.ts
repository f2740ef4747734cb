import { describe, expect, it } from "vitest";
import { applyApprovals } from "../../src/engine/apply-approvals.js";
import { evaluateStepUps, type ReviewFact } from "../../src/engine/approvals.js";
import type { Decision, PullRequestFacts } from "../../src/engine/types.js";
import type { Policy, PolicyInput } from "../../src/policy/schema.js";
import { approvals, HEAD, people, review } from "./approval-fixtures.js";
import { actor, commit, evaluate, makeFacts, makePolicy, who } from "./fixtures.js";

/**
 * A step-up for a governance file is owed per agent, to that agent's own
 * owner — unless a `step_up` rule the maintainer wrote covers the file, whose
 * approvers then replace the owner for every agent.
 */

const alice = { login: "alice", id: 1001, type: "User" };
const { bob, carol, dave } = people;
const COPILOT_NOREPLY = "198982749+Copilot@users.noreply.github.com";

function policy(rest: Omit<PolicyInput, "version" | "agents"> = {}, extraAgents: Record<string, unknown> = {}): Policy {
  return makePolicy({
    ...rest,
    agents: {
      copilot: { owner: "@acme/platform", match: { catalogue: ["copilot-coding-agent"] }, paths: { allow: ["**"] } },
      "claude-local": { owner: "@alice", match: { trailers: ["Co-authored-by: Claude*"] }, paths: { allow: ["**"] } },
      ...extraAgents,
    } as never,
  });
}

/** A Copilot PR whose commit may name a co-author, changing `paths`. */
function copilotPr(paths: string[], trailers: string[] = []): PullRequestFacts {
  const git = { ...who.copilotAgent, name: "Copilot", email: COPILOT_NOREPLY };
  return makeFacts({
    headSha: HEAD,
    actors: [actor("pr_author", who.copilotAgent)],
    commits: [commit({ sha: HEAD, author: git, committer: git, message: ["Change CI", "", ...trailers].join("\n") })],
    paths,
  });
}

const pulledInClaude = ["Co-authored-by: Claude <claude@example.com>"];

function decide(p: Policy, facts: PullRequestFacts, reviews: ReviewFact[]): Decision {
  const decision = evaluate(p, facts);
  return applyApprovals(decision, evaluateStepUps(decision, facts, approvals(reviews), p));
}

const requirements = (d: Decision) => d.stepUps.map((s) => `${s.name}: ${[...s.users.map((u) => `@${u}`), ...s.teams.map((t) => `@${t}`)].join(" ")} ${s.paths.join(",")}`);

describe("governance step-ups are owed per agent, to its own owner", () => {
  it("gives each agent that changed a governance file its own requirement", () => {
    const decision = evaluate(policy(), copilotPr([".github/workflows/ci.yml"], pulledInClaude));
    expect(requirements(decision)).toEqual([
      "governance-files (claude-local): @alice .github/workflows/ci.yml",
      "governance-files (copilot): @acme/platform .github/workflows/ci.yml",
    ]);
    expect(decision.findings.map((f) => `${f.ruleId} ${f.agent} ${f.stepUp}`)).toEqual([
      "governance-file claude-local governance-files (claude-local)",
      "governance-file copilot governance-files (copilot)",
    ]);
  });

  it.each<[string, ReviewFact[], "step_up" | "allow", string[]]>([
    ["the owner an agent pulled in with a trailer approves: the other agent's step-up stays pending", [review(alice, "APPROVED", 1)], "step_up", ["governance-files (claude-local)"]],
    ["only the account's own owner approves: the trailer-matched agent's step-up stays pending", [review(carol, "APPROVED", 1)], "step_up", ["governance-files (copilot)"]],
    ["both owners approve", [review(alice, "APPROVED", 1), review(carol, "APPROVED", 2)], "allow", ["governance-files (claude-local)", "governance-files (copilot)"]],
    ["a stranger approves", [review(bob, "APPROVED", 1)], "step_up", []],
  ])("%s", (_name, reviews, verdict, satisfied) => {
    const after = decide(policy(), copilotPr([".github/workflows/ci.yml"], pulledInClaude), reviews);
    expect(after.verdict).toBe(verdict);
    expect(after.stepUpStatus?.filter((s) => s.satisfied).map((s) => s.name)).toEqual(satisfied);
  });

  it("one person who owns two agents satisfies both, each separately", () => {
    const p = policy({}, { "claude-local": { owner: "@acme/platform", match: { trailers: ["Co-authored-by: Claude*"] }, paths: { allow: ["**"] } } });
    const after = decide(p, copilotPr(["CODEOWNERS"], pulledInClaude), [review(dave, "APPROVED", 1)]);
    expect(after.verdict).toBe("allow");
    expect(after.stepUpStatus?.map((s) => [s.name, s.approvedBy])).toEqual([
      ["governance-files (claude-local)", ["dave"]],
      ["governance-files (copilot)", ["dave"]],
    ]);
  });
});

describe("a maintainer's step_up rule that covers a governance file replaces the owner's approval for it", () => {
  const workflows = { name: "workflows", when: { paths: [".github/workflows/**"] }, approvers: { teams: ["acme/security"] } };

  it("requires only the rule's approvers for a covered file, and the owner for one it does not cover", () => {
    const decision = evaluate(policy({ step_up: [workflows] }), copilotPr([".github/workflows/ci.yml", "CODEOWNERS"]));
    expect(requirements(decision)).toEqual(["governance-files (copilot): @acme/platform CODEOWNERS", "workflows: @acme/security .github/workflows/ci.yml"]);
    expect(decision.findings.map((f) => `${f.ruleId} ${f.asset.value}`)).toEqual(["governance-file CODEOWNERS", "step-up .github/workflows/ci.yml"]);
  });

  it.each<[string, ReviewFact[], "step_up" | "allow"]>([
    ["the rule's approver approves: allowed without the owner", [review(dave, "APPROVED", 1)], "allow"],
    ["only the agent's owner approves: still pending", [review(carol, "APPROVED", 1)], "step_up"],
  ])("%s", (_name, reviews, verdict) => {
    const p = policy({ step_up: [workflows] });
    const members = { "acme/security": { status: "ok" as const, members: ["dave"] }, "acme/platform": { status: "ok" as const, members: ["carol"] } };
    const facts = copilotPr([".github/workflows/ci.yml"]);
    const decision = evaluate(p, facts);
    const after = applyApprovals(decision, evaluateStepUps(decision, facts, approvals(reviews, members), p));
    expect(after.verdict).toBe(verdict);
  });

  it("holds for every agent alike: an owner pulled in by a trailer cannot approve a covered file", () => {
    const after = decide(policy({ step_up: [workflows] }), copilotPr([".github/workflows/ci.yml"], pulledInClaude), [review(alice, "APPROVED", 1)]);
    expect(requirements(after)).toEqual(["workflows: @acme/security .github/workflows/ci.yml"]);
    expect(after.verdict).toBe("step_up");
    expect(after.stepUpStatus?.[0]?.ignored).toEqual([{ login: "alice", reason: "not an approver" }]);
  });

  it("a rule matching the file case-insensitively covers it too", () => {
    const decision = evaluate(policy({ step_up: [workflows] }), copilotPr([".GitHub/Workflows/ci.yml"]));
    expect(requirements(decision)).toEqual(["workflows: @acme/security .GitHub/Workflows/ci.yml"]);
  });
});
