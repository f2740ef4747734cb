import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, fileEntry, HUMAN } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { createHarness, expectEveryMockUsed, mockBaseline, REPO_PATH } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY } from "./mocks.js";
import { AFTER, BEFORE, HUMAN_PUSHER, HUMAN_SENDER, mockCompare, mockPolicy, payloadCommit, pushPayload } from "./push-mocks.js";

const SUSPENDED = POLICY.replace('owner: "@Codertocat/platform"', 'owner: "@Codertocat/platform"\n    suspended: true');
const STATUSES = ["requested", "queued", "pending", "waiting", "in_progress"] as const;
const OLDER = "1".repeat(40);
const HUMAN_HEAD = "5".repeat(40);
const HUMAN_GIT = { name: "Octo Dev", email: "dev@example.com", username: "octo-dev" };

/** A person's push to the default branch changing `.agent-policy.yml`. */
function policyPush() {
  const commit = { ...payloadCommit(AFTER, "Suspend copilot", HUMAN_GIT), added: [], removed: [], modified: [".agent-policy.yml"] };
  return pushPayload({ ref: "refs/heads/master", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] });
}

/** The push's own judgement, the policy read again for the revocation, and the active runs per status. */
function mockSuspension(policy: string, runs: Partial<Record<(typeof STATUSES)[number], object[]>>) {
  const scope = mockPolicy(policy);
  mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [commitEntry(AFTER, "Suspend copilot", { account: HUMAN_SENDER, ...HUMAN_GIT })], files: [] }]);
  mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304), REPO_PATH);
  for (const status of STATUSES) {
    const listed = runs[status] ?? [];
    scope.get(`${REPO_PATH}/actions/runs`).query({ status, per_page: 100 }).reply(200, { total_count: listed.length, workflow_runs: listed });
  }
  return scope;
}

/** A workflow run as the REST API lists it. */
function run(id: number, o: { actor?: object; sha?: string; branch?: string; path?: string; name?: string; status?: string } = {}) {
  const actor = o.actor ?? COPILOT;
  return {
    id,
    name: o.name ?? "CI",
    display_title: "Fix the parser",
    run_number: id - 800,
    status: o.status ?? "queued",
    path: o.path ?? ".github/workflows/ci.yml",
    html_url: `https://github.com/Codertocat/Hello-World/actions/runs/${id}`,
    head_sha: o.sha ?? HEAD,
    head_branch: o.branch ?? "copilot/fix",
    head_repository: { full_name: "Codertocat/Hello-World" },
    actor,
    triggering_actor: actor,
    head_commit: null,
  };
}

function mockOpenPulls(scope: nock.Scope, pulls: { number: number; sha: string; ref: string }[]) {
  scope
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "open", sort: "updated", direction: "desc", per_page: 100 })
    .reply(200, pulls.map((p) => ({ number: p.number, state: "open", head: { sha: p.sha, ref: p.ref, repo: { full_name: "Codertocat/Hello-World" } } })));
}

function mockSignal(scope: nock.Scope, sha: string, runs: object[]) {
  scope.get(`${REPO_PATH}/commits/${sha}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(200, { total_count: runs.length, check_runs: runs });
}

const freeOfAgents = { id: 60, external_id: "agent-policy:x", status: "completed", conclusion: "success", app: { id: 123 }, output: { title: "Compliant: no AI assistant activity" } };

/** Copilot's pull request #2 at HEAD, evaluated again: its reads, and the one check it posts. */
function mockCopilotPullEvaluation() {
  const reads = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
  mockListRuns(reads);
  return mockCreate(reads);
}

describe("a suspension's cancelled workflow runs are lines in the check of their pull request", () => {
  expectEveryMockUsed();

  it("lists each cancelled run of the pull request's branch in its one re-evaluated check, and leaves a run of no pull request to the audit log", async () => {
    const h = await createHarness();
    const scope = mockSuspension(SUSPENDED, {
      queued: [run(901)],
      waiting: [run(902, { sha: OLDER, path: ".github/workflows/deploy.yml", name: "Deploy", status: "waiting" })],
      in_progress: [run(903, { actor: HUMAN }), run(904, { branch: "copilot/spike", sha: "4".repeat(40) })],
    });
    for (const id of [901, 902, 904]) scope.post(`${REPO_PATH}/actions/runs/${id}/cancel`).reply(202, {});
    mockOpenPulls(scope, [
      { number: 2, sha: HEAD, ref: "copilot/fix" },
      { number: 3, sha: HUMAN_HEAD, ref: "octo-dev/docs" },
    ]);
    mockSignal(scope, HUMAN_HEAD, [freeOfAgents]);
    const posted = mockCopilotPullEvaluation();

    await h.receive("push", policyPush());

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    const summary = visibleText(posted.body!.output.summary);
    expect(summary).toContain("Workflow runs cancelled");
    expect(summary).toContain(`CI #101 “Fix the parser” (run 901, .github/workflows/ci.yml) on copilot/fix at ${HEAD.slice(0, 7)}: cancelled. copilot (owner @Codertocat/platform) is suspended, so all of its activity is denied.`);
    expect(summary).toContain(`Deploy #102 “Fix the parser” (run 902, .github/workflows/deploy.yml) on copilot/fix at 1111111: cancelled; it was waiting for a deployment's approval, which now never goes out.`);
    expect(summary).not.toContain("run 903");
    expect(summary).not.toContain("run 904");
    expect(posted.body!.output.summary).toContain("[CI #\u2060101](https://github.com/Codertocat/Hello-World/actions/runs/901)");
    expect(h.audit().map((r) => [r.workflowRunId ?? r.pullRequest, r.response])).toEqual([
      [901, "cancel_workflow_run"],
      [902, "cancel_workflow_run"],
      [904, "cancel_workflow_run"],
      [2, "check_run"],
    ]);
  });

  it("evaluates a pull request whose last check found no assistant when the suspended agent ran a workflow on its head, and lists the run", async () => {
    const h = await createHarness();
    const scope = mockSuspension(SUSPENDED, { in_progress: [run(905, { sha: HUMAN_HEAD, branch: "octo-dev/docs" })] });
    scope.post(`${REPO_PATH}/actions/runs/905/cancel`).reply(409, { message: "Cannot cancel a workflow run that is completed." });
    mockOpenPulls(scope, [{ number: 3, sha: HUMAN_HEAD, ref: "octo-dev/docs" }]);
    const reads = mockReads({
      token: false,
      ifNoneMatch: '"p1"',
      number: 3,
      headSha: HUMAN_HEAD,
      headRef: "octo-dev/docs",
      user: HUMAN,
      files: [fileEntry("docs/a.md")],
      commits: [commitEntry(HUMAN_HEAD, "Docs", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" })],
    });
    mockListRuns(reads, [], [3], HUMAN_HEAD);
    const posted = mockCreate(reads);

    await h.receive("push", policyPush());

    expect(posted.body).toMatchObject({ head_sha: HUMAN_HEAD, conclusion: "success" });
    expect(visibleText(posted.body!.output.summary)).toContain("(run 905, .github/workflows/ci.yml) on octo-dev/docs at 5555555: had already finished.");
  });

  it("says a run was only recorded in audit mode, and that a cancellation GitHub refused failed, then fails the delivery", async () => {
    const audit = await createHarness();
    const scope = mockSuspension(`mode: audit\n${SUSPENDED}`, { queued: [run(906)] });
    mockOpenPulls(scope, [{ number: 2, sha: HEAD, ref: "copilot/fix" }]);
    const recorded = mockCopilotPullEvaluation();
    await audit.receive("push", policyPush());
    expect(visibleText(recorded.body!.output.summary)).toContain("(run 906, .github/workflows/ci.yml) on copilot/fix at ec26c3e: not cancelled (audit mode: recorded only).");
    expect(nock.pendingMocks()).toEqual([]);

    const h = await createHarness();
    const failing = mockSuspension(SUSPENDED, { queued: [run(907)] });
    failing.post(`${REPO_PATH}/actions/runs/907/cancel`).reply(500, { message: "Server Error" });
    mockOpenPulls(failing, [{ number: 2, sha: HEAD, ref: "copilot/fix" }]);
    const posted = mockCopilotPullEvaluation();
    await expect(h.receive("push", policyPush())).rejects.toThrow(/cancel workflow run 907/);
    expect(visibleText(posted.body!.output.summary)).toContain("(run 907, .github/workflows/ci.yml) on copilot/fix at ec26c3e: cancelling failed (GitHub API failure while trying to cancel workflow run 907 (HTTP 500)");
  });
});
