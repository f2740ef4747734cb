import { describe, expect, it } from "vitest";
import { decideDeployment, type EnvironmentReviewers } from "../../src/engine/decide-deployment.js";
import { describeRule } from "../../src/engine/evaluate-policy.js";
import { triggeringAgents } from "../../src/engine/triggering-agents.js";
import type { Actor, Policy } from "../../src/engine/types.js";
import { actor, makePolicy, NOW, who } from "./fixtures.js";

function copilotPolicy(agent: Record<string, unknown> = {}, mode: "enforce" | "audit" = "enforce"): Policy {
  return makePolicy({
    mode,
    agents: {
      copilot: {
        owner: "@acme/platform",
        match: { catalogue: ["copilot-coding-agent"] },
        environments: { allow: ["staging"], step_up: ["production"] },
        ...agent,
      },
    } as never,
  });
}

const byCopilot: Actor[] = [actor("triggering_actor", who.copilotAgent)];
const ownerTeam: EnvironmentReviewers = { users: [], teams: ["ACME/platform"], preventSelfReview: true };

function decide(policy: Policy, environment: string, reviewers?: EnvironmentReviewers, actors: Actor[] = byCopilot) {
  return decideDeployment(policy, { agents: triggeringAgents(policy, actors), environment, ...(reviewers ? { reviewers } : {}) }, { now: NOW });
}

function summary(policy: Policy, environment: string, reviewers?: EnvironmentReviewers, actors?: Actor[]): string[] {
  const d = decide(policy, environment, reviewers, actors);
  return [`${d.verdict}/${d.policyVerdict}`, ...d.findings.map((f) => `${f.ruleId} ${f.verdict}${f.approved ? " approved" : ""} ${f.asset.kind}:${f.asset.value} ${f.agent}`)];
}

describe("decideDeployment", () => {
  it.each([
    ["an allowed environment", "staging", undefined, ["approve/allow"]],
    ["environment names compare case-insensitively (allow)", "STAGING", undefined, ["approve/allow"]],
    ["an environment in neither list", "qa", undefined, ["reject/deny", "environment-not-allowed deny environment:qa copilot"]],
    ["a step-up environment, reviewers unknown", "production", undefined, ["hold/step_up", "environment-step-up step_up environment:production copilot"]],
    ["environment names compare case-insensitively (step-up)", "Production", undefined, ["hold/step_up", "environment-step-up step_up environment:Production copilot"]],
    ["a step-up left to GitHub: only the owner team reviews, self-review prevented", "production", ownerTeam, ["approve/allow", "environment-step-up step_up approved environment:production copilot"]],
    ["required reviewers beyond the owner", "production", { ...ownerTeam, users: ["mallory"] }, ["hold/step_up", "environment-step-up step_up environment:production copilot"]],
    ["another team", "production", { ...ownerTeam, teams: ["acme/interns"] }, ["hold/step_up", "environment-step-up step_up environment:production copilot"]],
    ["self-review allowed", "production", { ...ownerTeam, preventSelfReview: false }, ["hold/step_up", "environment-step-up step_up environment:production copilot"]],
    ["no required reviewers", "production", { users: [], teams: [], preventSelfReview: false }, ["hold/step_up", "environment-step-up step_up environment:production copilot"]],
  ])("%s", (_name, environment, reviewers, expected) => {
    expect(summary(copilotPolicy(), environment, reviewers)).toEqual(expected);
  });

  it("approves a deployment no assistant triggered", () => {
    const d = decide(copilotPolicy(), "production", undefined, [actor("sender", who.alice), actor("deployment_creator", who.alice)]);
    expect(d).toMatchObject({ verdict: "approve", policyVerdict: "allow", agentActivity: false, agents: [], findings: [], stepUps: [] });
  });

  it("puts the stricter list first: an environment in both allow and step_up needs the step-up", () => {
    const policy = copilotPolicy({ environments: { allow: ["production"], step_up: ["production"] } });
    expect(summary(policy, "production")).toEqual(["hold/step_up", "environment-step-up step_up environment:production copilot"]);
  });

  it("names the owner as the one approver, and says how to release a hold", () => {
    const d = decide(copilotPolicy(), "production", { ...ownerTeam, users: ["mallory"] });
    expect(d.stepUps).toEqual([{ name: "environment production (copilot)", users: [], teams: ["acme/platform"], count: 1, paths: [] }]);
    expect(d.findings[0]).toMatchObject({
      owner: "@acme/platform",
      stepUp: "environment production (copilot)",
      message:
        "copilot (owner @acme/platform) deploys to production, which needs its owner's approval, and the app cannot yet leave that to GitHub: " +
        "its required reviewers (@mallory, @ACME/platform) are not only @acme/platform. The deployment is held.",
      remedy:
        'Make @acme/platform the only required reviewer of the production environment, with "Prevent self-review" on, then cancel and re-run the workflow run; ' +
        "or have the owner move production to agents.copilot.environments.allow.",
    });
  });

  it("delegates to a user owner matched case-insensitively", () => {
    const policy = copilotPolicy({ owner: "@alice" });
    expect(decide(policy, "production", { users: ["ALICE"], teams: [], preventSelfReview: true }).verdict).toBe("approve");
    expect(decide(policy, "production", { users: ["alice"], teams: ["acme/platform"], preventSelfReview: true }).verdict).toBe("hold");
  });

  it("never delegates to an owner that is itself an agent or a bot", () => {
    const policy = copilotPolicy({ owner: "@openhands-agent" });
    const d = decide(policy, "production", { users: ["openhands-agent"], teams: [], preventSelfReview: true });
    expect(d.verdict).toBe("hold");
    expect(d.stepUps[0]?.users).toEqual([]);
    expect(d.findings[0]?.message).toContain("its owner @openhands-agent is an agent or a bot and can never approve");
  });

  it.each([
    ["its policy allows no environments", { environments: { allow: [], step_up: [] } }, "copilot (owner @acme/platform) deploys to qa, but its policy allows no environments."],
    ["it lists both kinds", {}, "copilot (owner @acme/platform) deploys to qa, which is not among its environments (staging, production)."],
  ])("explains a rejection when %s", (_name, agent, message) => {
    expect(decide(copilotPolicy(agent), "qa").findings).toEqual([
      {
        ruleId: "environment-not-allowed",
        verdict: "deny",
        asset: { kind: "environment", value: "qa" },
        agent: "copilot",
        owner: "@acme/platform",
        message,
        remedy: "If this agent should deploy to qa, have the owner add it to agents.copilot.environments.allow or .step_up.",
      },
    ]);
  });

  it.each([
    ["an unregistered assistant", makePolicy(), [actor("sender", who.devin)], ["reject/deny", "unregistered-agent deny agent:devin devin"]],
    ["an expired grant", copilotPolicy({ expires: "2026-01-01" }), byCopilot, ["reject/deny", "agent-expired deny agent:copilot copilot"]],
    ["a suspended grant", copilotPolicy({ suspended: true }), byCopilot, ["reject/deny", "agent-suspended deny agent:copilot copilot"]],
  ])("rejects %s even for an allowed environment", (_name, policy, actors, expected) => {
    expect(summary(policy, "staging", undefined, actors)).toEqual(expected);
  });

  it("lets the worst agent decide", () => {
    const actors = [actor("workflow_actor", who.copilotAgent), actor("deployment_creator", who.devin)];
    expect(summary(copilotPolicy(), "staging", undefined, actors)).toEqual(["reject/deny", "unregistered-agent deny agent:devin devin"]);
  });

  it("reports the policy's mode without applying it", () => {
    expect(decide(copilotPolicy({}, "audit"), "qa")).toMatchObject({ verdict: "reject", mode: "audit" });
  });

  it("describes its rule ids", () => {
    expect(describeRule("environment-not-allowed")).toContain("environments.allow");
    expect(describeRule("environment-step-up")).toContain("environments.step_up");
  });
});
