import { describe, expect, it } from "vitest";
import { collectActors } from "../../src/engine/collect-actors.js";
import { decideWorkflowRun } from "../../src/engine/decide-workflow-run.js";
import { describeRule } from "../../src/engine/evaluate-policy.js";
import { identifyActors, identifyAgents } from "../../src/engine/identify-agents.js";
import { triggeringAgents } from "../../src/engine/triggering-agents.js";
import type { Actor, Policy } from "../../src/engine/types.js";
import { actor, commit, makeFacts, makePolicy, NOW, who } from "./fixtures.js";

const CI = ".github/workflows/ci.yml";

function copilotPolicy(agent: Record<string, unknown> = {}, mode: "enforce" | "audit" = "enforce"): Policy {
  return makePolicy({
    mode,
    agents: { copilot: { owner: "@acme/platform", match: { catalogue: ["copilot-coding-agent"] }, ...agent } } as never,
  });
}

const byCopilot: Actor[] = [actor("workflow_actor", who.copilotAgent), actor("triggering_actor", who.copilotAgent)];

function decide(policy: Policy, workflowPath: string, actors: Actor[] = byCopilot) {
  return decideWorkflowRun(policy, { agents: triggeringAgents(policy, actors), workflowPath }, { now: NOW });
}

function summary(policy: Policy, workflowPath: string, actors: Actor[] = byCopilot): string[] {
  const d = decide(policy, workflowPath, actors);
  return [d.verdict, ...d.findings.map((f) => `${f.ruleId} ${f.verdict} ${f.asset.kind}:${f.asset.value} ${f.agent}`)];
}

describe("decideWorkflowRun", () => {
  it.each([
    ["a file name", ["ci.yml"], CI, ["allow"]],
    ["the full path", [".github/workflows/deploy-*.yml"], ".github/workflows/deploy-staging.yml", ["allow"]],
    ["a name glob covers every workflow file", ["*.yml"], ".github/workflows/release.yml", ["allow"]],
    ["`**` covers dynamic workflows too", ["**"], "dynamic/copilot-swe-agent/copilot", ["allow"]],
    ["a dynamic workflow allowed by its path", ["ci.yml", "dynamic/copilot-swe-agent/**"], "dynamic/copilot-swe-agent/copilot", ["allow"]],
    ["another workflow", ["ci.yml"], ".github/workflows/deploy.yml", ["deny", "workflow-not-allowed deny workflow:.github/workflows/deploy.yml copilot"]],
    ["a dynamic workflow not listed", ["ci.yml"], "dynamic/copilot-swe-agent/copilot", ["deny", "workflow-not-allowed deny workflow:dynamic/copilot-swe-agent/copilot copilot"]],
    ["allow globs keep case (allow side)", ["CI.yml"], CI, ["deny", `workflow-not-allowed deny workflow:${CI} copilot`]],
    ["a name pattern does not match a directory", ["workflows"], CI, ["deny", `workflow-not-allowed deny workflow:${CI} copilot`]],
    ["an empty allow list", [], CI, ["deny", `workflow-not-allowed deny workflow:${CI} copilot`]],
  ])("%s", (_name, allow, path, expected) => {
    expect(summary(copilotPolicy({ workflows: { allow } }), path)).toEqual(expected);
  });

  it("explains a denied workflow and how to allow it", () => {
    const [finding] = decide(copilotPolicy({ workflows: { allow: ["ci.yml", "lint.yml"] } }), ".github/workflows/deploy.yml").findings;
    expect(finding).toEqual({
      ruleId: "workflow-not-allowed",
      verdict: "deny",
      asset: { kind: "workflow", value: ".github/workflows/deploy.yml" },
      agent: "copilot",
      owner: "@acme/platform",
      message: "copilot (owner @acme/platform) triggered the workflow .github/workflows/deploy.yml, but it is not in its allowed workflows (ci.yml, lint.yml).",
      remedy: "If this agent should run deploy.yml, have the owner add it to agents.copilot.workflows.allow.",
    });
    expect(decide(copilotPolicy(), CI).findings[0]?.message).toBe(
      `copilot (owner @acme/platform) triggered the workflow ${CI}, but its policy allows no workflows (workflows.allow is empty).`,
    );
  });

  it("allows a run no assistant triggered, whatever the workflow", () => {
    const d = decide(copilotPolicy(), ".github/workflows/deploy.yml", [actor("workflow_actor", who.alice), actor("triggering_actor", who.alice)]);
    expect(d).toMatchObject({ verdict: "allow", agentActivity: false, agents: [], findings: [], stepUps: [], evaluatedAt: NOW.toISOString() });
  });

  it.each([
    ["an unregistered catalogue assistant", makePolicy(), [actor("workflow_actor", who.devin)], ["deny", "unregistered-agent deny agent:devin devin"]],
    ["an expired grant", copilotPolicy({ expires: "2026-06-14", workflows: { allow: ["ci.yml"] } }), byCopilot, ["deny", "agent-expired deny agent:copilot copilot"]],
    ["a suspended grant", copilotPolicy({ suspended: true, workflows: { allow: ["ci.yml"] } }), byCopilot, ["deny", "agent-suspended deny agent:copilot copilot"]],
    ["a grant valid through today", copilotPolicy({ expires: "2026-06-15", workflows: { allow: ["ci.yml"] } }), byCopilot, ["allow"]],
  ])("denies %s even for an allowed workflow", (_name, policy, actors, expected) => {
    expect(summary(policy, CI, actors)).toEqual(expected);
  });

  it("needs every triggering agent to be allowed: a human re-running an agent's run does not launder it", () => {
    const policy = copilotPolicy({ workflows: { allow: ["ci.yml"] } });
    const rerun = [actor("workflow_actor", who.copilotAgent), actor("triggering_actor", who.alice)];
    expect(summary(policy, ".github/workflows/deploy.yml", rerun)).toEqual(["deny", "workflow-not-allowed deny workflow:.github/workflows/deploy.yml copilot"]);
    const mixed = [actor("workflow_actor", who.copilotAgent), actor("triggering_actor", who.devin)];
    expect(summary(policy, CI, mixed)).toEqual(["deny", "unregistered-agent deny agent:devin devin"]);
  });

  it("reports the policy's mode without applying it", () => {
    const d = decide(copilotPolicy({}, "audit"), CI);
    expect(d.verdict).toBe("deny");
    expect(d.mode).toBe("audit");
  });

  it("describes its rule id", () => {
    expect(describeRule("workflow-not-allowed")).toContain("workflows.allow");
  });
});

describe("triggeringAgents and identifyActors", () => {
  const copilotCommitAuthor: Actor = { role: "commit_author", identity: { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" }, commit: "c".repeat(40) };

  it("does not make a run an agent's because of its head commit's author alone", () => {
    expect(triggeringAgents(makePolicy(), [actor("workflow_actor", who.alice), copilotCommitAuthor])).toEqual([]);
  });

  it("adds the head commit's author as evidence to an agent that triggered the run", () => {
    const [agent] = triggeringAgents(makePolicy(), [actor("workflow_actor", who.copilotAgent), copilotCommitAuthor]);
    expect(agent?.evidence.map((e) => e.detail)).toEqual([
      "workflow run actor Copilot (id 198982749)",
      "commit author Copilot <198982749+Copilot@users.noreply.github.com> in ccccccc",
    ]);
  });

  it("identifies a change's agents exactly as identifyAgents does", () => {
    const policy = copilotPolicy();
    const facts = makeFacts({
      actors: [actor("pr_author", who.copilotAgent), actor("sender", who.devin)],
      commits: [commit({ message: "x\n\nCo-authored-by: Claude <noreply@anthropic.com>" }), commit({ author: { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" } })],
    });
    const viaActors = identifyActors(policy, collectActors(facts));
    expect(viaActors).toEqual(identifyAgents(policy, facts));
    expect(viaActors.map((a) => a.key)).toEqual(["claude-code", "copilot", "devin"]);
  });
});
