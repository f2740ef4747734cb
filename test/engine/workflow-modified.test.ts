import { describe, expect, it } from "vitest";
import { applyApprovals } from "../../src/engine/apply-approvals.js";
import { approvesWorkflowSources } from "../../src/engine/approved-workflow-change.js";
import { decideWorkflowRun } from "../../src/engine/decide-workflow-run.js";
import { describeRule } from "../../src/engine/evaluate-policy.js";
import { triggeringAgents } from "../../src/engine/triggering-agents.js";
import type { Decision, Policy } from "../../src/engine/types.js";
import type { WorkflowRunSources, WorkflowSource } from "../../src/engine/workflow-modified.js";
import { actor, evaluate, file, makeFacts, makePolicy, NOW, who } from "./fixtures.js";

const CI = ".github/workflows/ci.yml";
const HEAD = "ab".repeat(20);
const policy: Policy = makePolicy({
  agents: {
    copilot: { owner: "@acme/platform", match: { catalogue: ["copilot-coding-agent"] }, paths: { allow: ["**"] }, workflows: { allow: ["ci.yml"] } },
  } as never,
});
const byCopilot = [actor("workflow_actor", who.copilotAgent)];

const source = (status: WorkflowSource["status"], kind: WorkflowSource["kind"] = "workflow", path = CI, extra: Partial<WorkflowSource> = {}): WorkflowSource => ({
  kind,
  path,
  status,
  ...extra,
});

function decide(sources: WorkflowSource[], extra: Partial<WorkflowRunSources> = {}, workflowPath = CI): Decision {
  const facts: WorkflowRunSources = { headSha: HEAD, defaultBranch: "main", sources, remoteChanges: [], ...extra };
  return decideWorkflowRun(policy, { agents: triggeringAgents(policy, byCopilot), workflowPath, sources: facts }, { now: NOW });
}

const summary = (d: Decision) => [d.verdict, ...d.findings.map((f) => `${f.ruleId} ${f.asset.kind}:${f.asset.value}`)];

describe("decideWorkflowRun: workflow-modified", () => {
  it.each([
    ["every source the default branch's", [source("same"), source("same", "action", ".github/actions/build")], ["allow"]],
    ["the workflow file changed", [source("modified")], ["deny", `workflow-modified workflow:${CI}`]],
    ["a workflow file the default branch lacks", [source("added")], ["deny", `workflow-modified workflow:${CI}`]],
    ["a local action changed", [source("same"), source("modified", "action", "tools/setup", { calledFrom: CI })], ["deny", "workflow-modified path:tools/setup"]],
    [
      "a reusable workflow changed",
      [source("same"), source("modified", "reusable-workflow", ".github/workflows/r.yml", { calledFrom: CI })],
      ["deny", "workflow-modified workflow:.github/workflows/r.yml"],
    ],
    ["a source that could not be compared", [source("unverifiable", "workflow", CI, { reason: "HTTP 502" })], ["deny", `workflow-modified workflow:${CI}`]],
  ])("%s", (_name, sources, expected) => {
    expect(summary(decide(sources))).toEqual(expected);
  });

  it("lifts a difference an approved pull request covers, never an unverifiable source", () => {
    const approvedBy = { pullRequest: 7, approvers: ["lead"] };
    expect(summary(decide([source("modified")], { approvedBy }))).toEqual(["allow"]);
    expect(summary(decide([source("modified"), source("unverifiable", "action", "a", { reason: "x" })], { approvedBy }))).toEqual([
      "deny",
      "workflow-modified path:a",
    ]);
  });

  it("says what differs, against which branch, with the remote actions that changed", () => {
    const [finding] = decide([source("same"), source("modified", "action", ".github/actions/build", { calledFrom: CI })], {
      remoteChanges: [{ file: ".github/actions/build", added: ["evil/action@v1"], removed: [] }],
    }).findings;
    expect(finding).toMatchObject({ ruleId: "workflow-modified", verdict: "deny", agent: "copilot", owner: "@acme/platform" });
    expect(finding?.message).toBe(
      `copilot (owner @acme/platform) triggered ${CI} at abababa, but the local action ./.github/actions/build (used by ${CI}) differs from the default branch's (main): ` +
        "the run would execute steps the default branch does not define, with the repository's secrets. Remote actions changed: it now uses evil/action@v1.",
    );
  });

  it("leaves a run the grant already denies to that rule, and a run without sources to the grant alone", () => {
    const d = decide([source("modified")], {}, ".github/workflows/deploy.yml");
    expect(summary(d)).toEqual(["deny", "workflow-not-allowed workflow:.github/workflows/deploy.yml"]);
    const without = decideWorkflowRun(policy, { agents: triggeringAgents(policy, byCopilot), workflowPath: CI }, { now: NOW });
    expect(summary(without)).toEqual(["allow"]);
  });

  it("describes its rule id", () => {
    expect(describeRule("workflow-modified")).toContain("default branch");
  });
});

describe("approvesWorkflowSources", () => {
  const owner = { login: "lead" };
  function approvedPr(paths: string[], approved: boolean): { decision: Decision; facts: ReturnType<typeof makeFacts> } {
    const facts = makeFacts({ actors: [actor("pr_author", who.copilotAgent)], files: paths.map((p) => file(p)) });
    const decision = evaluate(policy, facts);
    const statuses = decision.stepUps.map((req) => ({
      name: req.name,
      required: 1,
      approvedBy: approved ? [owner.login] : [],
      unresolved: [],
      missing: approved ? 0 : 1,
      eligible: { users: [], teams: [] },
      changesRequestedBy: [],
      ignored: [],
      teamErrors: [],
      satisfied: approved,
    }));
    return { decision: applyApprovals(decision, statuses), facts };
  }

  it.each([
    ["the approved PR changes the workflow", [CI], true, [source("modified")], true],
    ["the step-up is still pending", [CI], false, [source("modified")], false],
    ["the PR does not change the differing file (the default branch moved on)", [".github/workflows/other.yml"], true, [source("modified")], false],
    ["every changed file in the action's directory is approved", [".github/actions/build/a.sh", ".github/actions/build/action.yml"], true, [source("modified", "action", ".github/actions/build")], true],
    ["an action directory no step-up covers (only governance paths are stepped up)", ["tools/setup/index.js"], true, [source("modified", "action", "tools/setup")], false],
    ["a prefix that is not the directory", [".github/actions/build-2/a.sh"], true, [source("modified", "action", ".github/actions/build")], false],
    ["an unverifiable source", [CI], true, [source("unverifiable")], false],
    ["nothing differs", [CI], true, [], false],
  ])("%s", (_name, paths, approved, sources, expected) => {
    const { decision, facts } = approvedPr(paths, approved);
    expect(approvesWorkflowSources(decision, facts, sources)).toBe(expected);
  });

  it("never vouches for a pull request with a deny, approved or not", () => {
    const { decision, facts } = approvedPr([CI, ".env"], true);
    expect(decision.verdict).toBe("deny");
    expect(approvesWorkflowSources(decision, facts, [source("modified")])).toBe(false);
  });
});
