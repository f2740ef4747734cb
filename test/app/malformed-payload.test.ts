import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COPILOT, examplePayload, examplePayloadWhere, workflowRunRequestedPayload } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed, mockToken, policyContent, REPO_PATH, mockBaseline } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY } from "./mocks.js";

/** Each case is a real example payload with one part damaged, as the fuzz test over every subscribed event first found them crash a handler. */
const deploymentPayload = () => JSON.parse(readFileSync(new URL("../fixtures/events/deployment_protection_rule.requested.json", import.meta.url), "utf8"));
const withInstallation = (payload: Record<string, any>) => ({ installation: { id: 1 }, ...payload });

const REFUSED: [string, string, () => Record<string, any>, string][] = [
  ["check_run", "without check_run.pull_requests", () => del(examplePayload("check_run", "rerequested"), (p) => delete p.check_run.pull_requests), "check_run.pull_requests"],
  ["check_suite", "without check_suite", () => del(withInstallation(examplePayload("check_suite", "rerequested")), (p) => delete p.check_suite), "check_suite"],
  ["pull_request", "without pull_request", () => del(examplePayload("pull_request", "opened"), (p) => delete p.pull_request), "pull_request"],
  ["pull_request", "without repository", () => del(examplePayload("pull_request", "synchronize"), (p) => delete p.repository), "repository"],
  ["pull_request", "auto_merge_enabled without the head SHA", () => del(examplePayload("pull_request", "opened"), (p) => ((p.action = "auto_merge_enabled"), delete p.pull_request.head.sha)), "pull_request.head.sha"],
  ["push", "without commits", () => del(examplePayloadWhere("push", (e) => e.ref === "refs/heads/master"), (p) => delete p.commits), "commits"],
  ["deployment_protection_rule", "without the repository owner's login", () => del(deploymentPayload(), (p) => delete p.repository.owner.login), "repository.owner.login"],
  // Not a crash but a megabyte URL per API call, seconds each.
  ["pull_request_review", "with a 300,000-character repository name", () => del(examplePayload("pull_request_review", "submitted"), (p) => (p.repository.name = "é".repeat(300_000))), "repository.name"],
];

function del(payload: Record<string, any>, change: (p: Record<string, any>) => unknown): Record<string, any> {
  change(payload);
  return payload;
}

describe("a payload that is not what GitHub sends", () => {
  expectEveryMockUsed();

  it.each(REFUSED)("%s %s: refused without a crash or a call to GitHub, with one critical audit record", async (event, _what, payload, problem) => {
    const h = await createHarness();
    await expect(h.receive(event, payload())).resolves.toBeUndefined();
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event,
        decision: "error",
        response: "none",
        severity: "critical",
        ruleIds: ["facts-unavailable"],
        error: expect.stringMatching(new RegExp(`^malformed ${event} payload: ${problem.replace(/\./g, "\\.")}: `)),
      }),
    ]);
  });

  it("reads the repository from GitHub when the payload lacks its default branch, and judges the pull request", async () => {
    const h = await createHarness();
    const payload = examplePayload("pull_request", "opened");
    payload.pull_request.head.sha = HEAD;
    payload.number = 2;
    delete payload.repository.default_branch;
    const scope = mockToken();
    scope.get(REPO_PATH).reply(200, { ...examplePayload("pull_request", "opened").repository });
    const reads = mockReads({ token: false, files: [{ filename: "src/auth/login.ts", status: "modified", additions: 1, deletions: 0, patch: "@@ -1 +1 @@\n-a\n+b" }], commits: [] });
    mockListRuns(reads);
    const posted = mockCreate(reads);
    await h.receive("pull_request", payload);
    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(h.audit()).toEqual([expect.objectContaining({ pullRequest: 2, decision: "deny", response: "check_run" })]);
  });

  it("judges a workflow run whose sender is damaged, since the sender of a run is not evidence", async () => {
    const h = await createHarness();
    const payload = workflowRunRequestedPayload();
    const repo = "/repos/octo-org/octo-repo";
    Object.assign(payload.workflow_run, { actor: COPILOT, triggering_actor: COPILOT });
    payload.sender = "x".repeat(100_000);
    const scope = mockToken();
    mockBaseline(scope.get(`${repo}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), repo);
    // Only its workflow allow list denies the run, so the pull requests of its commit are looked up for a grant: none.
    scope.get(`${repo}/commits/${payload.workflow_run.head_sha}/pulls`).query({ per_page: 100 }).reply(200, []);
    scope.post(`${repo}/actions/runs/${payload.workflow_run.id}/cancel`).reply(202, {});
    await h.receive("workflow_run", payload);
    expect(h.audit()).toEqual([expect.objectContaining({ response: "cancel_workflow_run", ruleIds: ["workflow-not-allowed"] })]);
  });

  it("cancels a run it cannot judge: the payload names no actor and GitHub cannot say who started it", async () => {
    const h = await createHarness();
    const payload = workflowRunRequestedPayload();
    const repo = "/repos/octo-org/octo-repo";
    const id = payload.workflow_run.id;
    payload.workflow_run.actor = null;
    delete payload.workflow_run.triggering_actor;
    const scope = mockToken();
    scope.get(`${repo}/actions/runs/${id}`).reply(403, { message: "Resource not accessible by integration" });
    scope.post(`${repo}/actions/runs/${id}/cancel`).reply(202, {});
    await h.receive("workflow_run", payload);
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "workflow_run",
        decision: "error",
        response: "cancel_workflow_run",
        responded: true,
        severity: "critical",
        workflowRunId: id,
        error: expect.stringMatching(/^malformed workflow_run payload: workflow_run\.actor: .*; GitHub API failure while trying to read workflow run \d+ \(HTTP 403\)/),
      }),
    ]);
  });

  it("reads the workflow run from GitHub when the payload names no actor, and cancels an assistant's run it may not start", async () => {
    const h = await createHarness();
    const payload = workflowRunRequestedPayload();
    const repo = "/repos/octo-org/octo-repo";
    const run = { ...payload.workflow_run, actor: COPILOT, triggering_actor: COPILOT };
    payload.workflow_run.actor = null;
    delete payload.workflow_run.triggering_actor;
    const scope = mockToken();
    scope.get(`${repo}/actions/runs/${run.id}`).reply(200, run);
    mockBaseline(scope.get(`${repo}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), repo);
    scope.get(`${repo}/commits/${run.head_sha}/pulls`).query({ per_page: 100 }).reply(200, []);
    scope.post(`${repo}/actions/runs/${run.id}/cancel`).reply(202, {});
    await h.receive("workflow_run", payload);
    expect(h.audit()).toEqual([
      expect.objectContaining({ event: "workflow_run", response: "cancel_workflow_run", decision: "deny", ruleIds: ["workflow-not-allowed"], agents: [expect.objectContaining({ key: "copilot" })] }),
    ]);
  });
});
