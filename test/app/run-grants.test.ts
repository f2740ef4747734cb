import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, pullResponse, workflowRunRequestedPayload } from "../fixtures/github.js";
import { expectAnswer, gateEvent, mockReads as mockDeploymentReads, runResponse } from "./deployment-mocks.js";
import { createHarness, expectEveryMockUsed, mockBaseline, mockToken, NOW, policyContent, REPO_PATH } from "./harness.js";
import { activity, mockActivity, pagedReply } from "./mocks.js";
import { mockFile, mockListing } from "./workflow-mocks.js";

const REPO = "/repos/octo-org/octo-repo";
const RUN_ID = 289782451;
/** The head commit of the `workflow_run.requested` example, and of the deployment example's run. */
const RUN_SHA = "3484a3fb816e0859fd6e1cea078d76385ff50625";
const DEPLOY_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BRANCH = "copilot/deploy";
const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const POLICY = `version: 1
agents:
  copilot:
    owner: "@octo-org/platform"
    match: { ids: [198982749] }
    workflows: { allow: ["ci.yml"] }
`;
const GRANT = "/agent-policy grant copilot workflows:deploy.yml for 4h because OPS-1";
const CREATED = new Date(NOW.getTime() - 10 * 60_000).toISOString().replace(".000", "");
const DEPLOY = ".github/workflows/deploy.yml";
const DEPLOY_YML = "on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh\n";

/** The real `workflow_run.requested` example, started by Copilot on `branch`, running the deploy workflow. */
function runEvent(branch = BRANCH, path = DEPLOY) {
  const payload = workflowRunRequestedPayload();
  const run = payload.workflow_run;
  run.actor = { ...run.actor, ...COPILOT };
  run.triggering_actor = { ...run.triggering_actor, ...COPILOT };
  run.head_branch = branch;
  run.path = path;
  return payload;
}

function mockPolicy(policy = POLICY) {
  const scope = mockToken();
  mockBaseline(scope.get(`${REPO}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(policy), { etag: '"p1"' }), REPO);
  return scope;
}

/** The pull requests GitHub associates with the commit, each headed by it on `ref` (of `repo`, this repository by default). */
function mockHeads(scope: nock.Scope, repoPath: string, sha: string, pulls: { number: number; ref: string; state?: string; repo?: string }[]) {
  const fullName = repoPath.replace(/^\/repos\//, "");
  scope
    .get(`${repoPath}/commits/${sha}/pulls`)
    .query({ per_page: 100 })
    .reply(
      200,
      pulls.map((p) => ({ number: p.number, state: p.state ?? "open", head: { sha, ref: p.ref, repo: { full_name: p.repo ?? fullName } }, base: { repo: { full_name: fullName } } })),
    );
}

/** `pulls.get` of Copilot's pull request, headed by `sha` on `ref`. */
function mockPull(scope: nock.Scope, repoPath: string, o: { number: number; sha: string; ref: string; comments: number; state?: string }) {
  const [owner, repo] = repoPath.replace(/^\/repos\//, "").split("/") as [string, string];
  const pull = pullResponse({ number: o.number, headSha: o.sha, headRef: o.ref, user: COPILOT, changedFiles: 1, commits: 1, owner, repo, comments: o.comments });
  scope.get(`${repoPath}/pulls/${o.number}`).reply(200, { ...pull, state: o.state ?? "open" });
}

/** A comment as `issues.listComments` lists it. */
function listed(user: object, body: string, o: { id?: number; createdAt?: string } = {}) {
  return { id: o.id ?? 5501, body, user, created_at: o.createdAt ?? CREATED, updated_at: o.createdAt ?? CREATED };
}

/**
 * What reading the pull request's grants costs once it has a command: its commits, its comments, who pushed its branch,
 * the owner team's members and, when a grant was accepted, its events.
 */
function mockGrantReads(scope: nock.Scope, repoPath: string, o: { number: number; sha: string; comments: object[]; org: string; events?: boolean }) {
  pagedReply(scope, `${repoPath}/pulls/${o.number}/commits`, [commitEntry(o.sha, "Add the deploy step", { account: COPILOT, ...COPILOT_COMMITTER })]);
  pagedReply(scope, `${repoPath}/issues/${o.number}/comments`, o.comments);
  mockActivity(scope, [activity(COPILOT, "branch_creation", BRANCH)], { ref: BRANCH, repoPath });
  scope.get(`/orgs/${o.org}/teams/platform/members`).query({ per_page: 100 }).reply(200, [LEAD]);
  if (o.events !== false) pagedReply(scope, `${repoPath}/issues/${o.number}/events`, []);
}

function expectCancel(scope: nock.Scope) {
  scope.post(`${REPO}/actions/runs/${RUN_ID}/cancel`).reply(202, {});
}

describe("task-scoped grants reach the workflow runs of their pull request", () => {
  expectEveryMockUsed();

  it("lets Copilot run a workflow granted on its pull request, compares the workflow as for any allowed run, and records the grant", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO, { number: 2, sha: RUN_SHA, ref: BRANCH, comments: 1 });
    mockGrantReads(scope, REPO, { number: 2, sha: RUN_SHA, comments: [listed(LEAD, GRANT)], org: "octo-org" });
    mockFile(scope, REPO, DEPLOY, RUN_SHA, DEPLOY_YML);
    mockListing(scope, REPO, ".github/workflows", "master", { "deploy.yml": DEPLOY_YML });

    await h.receive("workflow_run", runEvent());

    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "workflow_run",
        decision: "allow",
        response: "none",
        ruleIds: [],
        pullRequest: 2,
        workflowRunId: RUN_ID,
        grants: [{ agent: "copilot", by: "octo-lead", scope: ["workflows:deploy.yml"], expires: "2026-11-27T15:50:00.000Z", reason: "OPS-1" }],
      }),
    ]);
  });

  it("still cancels a granted workflow whose content at the run's commit cannot be compared: a grant never lifts workflow-modified", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO, { number: 2, sha: RUN_SHA, ref: BRANCH, comments: 1 });
    mockGrantReads(scope, REPO, { number: 2, sha: RUN_SHA, comments: [listed(LEAD, GRANT)], org: "octo-org" });
    mockFile(scope, REPO, DEPLOY, RUN_SHA, { status: 502 });
    expectCancel(scope);

    await h.receive("workflow_run", runEvent());

    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["facts-unavailable", "workflow-modified"], pullRequest: 2, grants: [expect.objectContaining({ scope: ["workflows:deploy.yml"] })] })]);
  });

  it("gives nothing to a run of the granted commit pushed to another branch: the run is cancelled after one listing", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    expectCancel(scope);

    await h.receive("workflow_run", runEvent("copilot/elsewhere"));

    expect(h.audit()).toEqual([expect.objectContaining({ decision: "deny", response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
    expect(h.audit()[0].grants).toBeUndefined();
    expect(h.logs.find((l) => l.audit)?.grantsNotApplied).toBe(`no open pull request has copilot/elsewhere at ${RUN_SHA.slice(0, 7)} as its head`);
  });

  it("gives nothing to a second pull request the agent opened at the granted commit: its own comments hold no grant", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [
      { number: 2, ref: BRANCH },
      { number: 3, ref: "copilot/again" },
    ]);
    mockPull(scope, REPO, { number: 3, sha: RUN_SHA, ref: "copilot/again", comments: 0 });
    expectCancel(scope);

    await h.receive("workflow_run", runEvent("copilot/again"));

    expect(h.audit()).toEqual([expect.objectContaining({ decision: "deny", response: "cancel_workflow_run", pullRequest: 3, ruleIds: ["workflow-not-allowed"] })]);
    expect(h.audit()[0].grants).toBeUndefined();
  });

  it("gives nothing to a run whose branch and commit head two pull requests (a second one opened from the granted branch)", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [
      { number: 2, ref: BRANCH },
      { number: 4, ref: BRANCH },
    ]);
    expectCancel(scope);

    await h.receive("workflow_run", runEvent());

    expect(h.audit()).toEqual([expect.objectContaining({ decision: "deny", response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
    expect(h.logs.find((l) => l.audit)?.grantsNotApplied).toContain("2 open pull requests (#2, #4)");
  });

  it("gives nothing to a run of a fork's branch of the same name at the same commit", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH, repo: "copilot-fork/octo-repo" }]);
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
  });

  it("gives nothing once the pull request is closed, though GitHub's listing still shows it open", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO, { number: 2, sha: RUN_SHA, ref: BRANCH, comments: 1, state: "closed" });
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
    expect(h.logs.find((l) => l.audit)?.grantsNotApplied).toBe("pull request #2 is closed");
  });

  it("gives nothing once the grant has expired", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO, { number: 2, sha: RUN_SHA, ref: BRANCH, comments: 1 });
    const fiveHoursAgo = new Date(NOW.getTime() - 5 * 3_600_000).toISOString();
    mockGrantReads(scope, REPO, { number: 2, sha: RUN_SHA, comments: [listed(LEAD, GRANT, { createdAt: fiveHoursAgo })], org: "octo-org" });
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", pullRequest: 2, ruleIds: ["workflow-not-allowed"] })]);
    expect(h.audit()[0].grants).toBeUndefined();
  });

  it("gives nothing once the grant is revoked", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO, { number: 2, sha: RUN_SHA, ref: BRANCH, comments: 2 });
    const later = new Date(NOW.getTime() - 60_000).toISOString();
    mockGrantReads(scope, REPO, { number: 2, sha: RUN_SHA, comments: [listed(LEAD, GRANT), listed(LEAD, "/agent-policy revoke copilot", { id: 5502, createdAt: later })], org: "octo-org" });
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
    expect(h.audit()[0].grants).toBeUndefined();
  });

  it("gives nothing for a grant the agent wrote itself", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockHeads(scope, REPO, RUN_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO, { number: 2, sha: RUN_SHA, ref: BRANCH, comments: 1 });
    mockGrantReads(scope, REPO, { number: 2, sha: RUN_SHA, comments: [listed(COPILOT, GRANT)], org: "octo-org", events: false });
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
  });

  it("reads no grant for a suspended agent's run: a grant never lifts a suspension", async () => {
    const h = await createHarness();
    const scope = mockPolicy(POLICY.replace("workflows:", "suspended: true\n    workflows:"));
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["agent-suspended"] })]);
  });

  it("fails closed when the grants cannot be read: the run is cancelled and the record says why", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    scope.get(`${REPO}/commits/${RUN_SHA}/pulls`).query({ per_page: 100 }).reply(502, { message: "Bad Gateway" });
    expectCancel(scope);
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([
      expect.objectContaining({ decision: "error", response: "cancel_workflow_run", ruleIds: ["facts-unavailable", "workflow-not-allowed"], error: expect.stringContaining("could not read the grants of the run's pull request") }),
    ]);
  });
});

describe("task-scoped grants reach the deployments of their pull request's runs", () => {
  expectEveryMockUsed();
  const ENV_GRANT = "/agent-policy grant copilot environments:qa for 4h because OPS-2";
  const onBranch = (branch: string) => ({ ...runResponse(COPILOT), head_branch: branch });

  it("approves a deployment to an environment granted on the run's pull request, and names the grant", async () => {
    const h = await createHarness();
    const scope = mockDeploymentReads({ run: onBranch(BRANCH) });
    mockHeads(scope, REPO_PATH, DEPLOY_SHA, [{ number: 2, ref: BRANCH }]);
    mockPull(scope, REPO_PATH, { number: 2, sha: DEPLOY_SHA, ref: BRANCH, comments: 1 });
    mockGrantReads(scope, REPO_PATH, { number: 2, sha: DEPLOY_SHA, comments: [listed(LEAD, ENV_GRANT)], org: "codertocat" });
    const answer = expectAnswer(scope);

    await h.receive("deployment_protection_rule", gateEvent({ environment: "qa" }));

    expect(answer.body).toEqual({
      environment_name: "qa",
      state: "approved",
      comment:
        "agent-policy: approved.\nTask-scoped grant on pull request #2: environments:\u2060qa for copilot by @\u2060octo-lead until 2026-11-27 15:50:00 UTC.\ncopilot (owner @\u2060Codertocat/platform) may deploy here.",
    });
    expect(h.audit()).toEqual([
      expect.objectContaining({ decision: "allow", response: "deployment_approved", pullRequest: 2, grants: [expect.objectContaining({ agent: "copilot", scope: ["environments:qa"] })] }),
    ]);
  });

  it("rejects a deployment from another branch at the granted commit", async () => {
    const h = await createHarness();
    const scope = mockDeploymentReads({ run: onBranch("copilot/elsewhere") });
    mockHeads(scope, REPO_PATH, DEPLOY_SHA, [{ number: 2, ref: BRANCH }]);
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent({ environment: "qa" }));
    expect(answer.body).toMatchObject({ state: "rejected", comment: expect.stringContaining("environment-not-allowed") });
    expect(h.audit()[0].grants).toBeUndefined();
  });

  it("rejects, saying why, when the grants cannot be read", async () => {
    const h = await createHarness();
    const scope = mockDeploymentReads({ run: onBranch(BRANCH) });
    scope.get(`${REPO_PATH}/commits/${DEPLOY_SHA}/pulls`).query({ per_page: 100 }).reply(502, { message: "Bad Gateway" });
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent({ environment: "qa" }));
    expect(answer.body).toMatchObject({ state: "rejected", comment: expect.stringContaining("could not be read, so none applies") });
    expect(h.audit()[0]).toMatchObject({ decision: "error", ruleIds: ["environment-not-allowed", "facts-unavailable"] });
  });

  it("reads no grant for a step-up environment: a grant never satisfies a step-up", async () => {
    const h = await createHarness();
    const scope = mockDeploymentReads({ run: onBranch(BRANCH) });
    scope.get(`${REPO_PATH}/environments/production`).reply(200, { id: 1, name: "production", protection_rules: [] });
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent({ environment: "production" }));
    expect(answer.body).not.toHaveProperty("state");
    expect(h.audit()[0]).toMatchObject({ response: "deployment_held", ruleIds: ["environment-step-up"] });
  });
});
