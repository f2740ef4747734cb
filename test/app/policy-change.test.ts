import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, fileEntry, HUMAN } from "../fixtures/github.js";
import { API, createHarness, expectEveryMockUsed, REPO_PATH, mockBaseline } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY } from "./mocks.js";
import { AFTER, BEFORE, HUMAN_PUSHER, HUMAN_SENDER, mockCompare, mockPolicy, payloadCommit, pushPayload } from "./push-mocks.js";

const SUSPENDED = POLICY.replace('owner: "@Codertocat/platform"', 'owner: "@Codertocat/platform"\n    suspended: true');
const HUMAN_HEAD = "5".repeat(40);
const HUMAN_GIT = { name: "Octo Dev", email: "dev@example.com", username: "octo-dev" };

/** A person's push to the default branch of one commit that changes `files` (the payload's `modified`). */
function policyPush(modified: string[] = [".agent-policy.yml"]) {
  const commit = { ...payloadCommit(AFTER, "Suspend copilot", HUMAN_GIT), added: [], removed: [], modified };
  return pushPayload({ ref: "refs/heads/master", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] });
}

/**
 * The push's own judgement on master (the policy read, and the compare that shows only the person's commit),
 * then the policy read again for the revocation (answered from the cache) and, when an agent is suspended,
 * the repository's active workflow runs (`runs`: status → runs).
 */
function mockPushJudgement(policy = SUSPENDED, runs: Partial<Record<(typeof STATUSES)[number], object[]>> = {}) {
  const scope = mockPolicy(policy);
  mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [commitEntry(AFTER, "Suspend copilot", { account: HUMAN_SENDER, ...HUMAN_GIT })], files: [] }]);
  mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304), REPO_PATH);
  if (policy.includes("suspended: true")) {
    for (const status of STATUSES) {
      const listed = runs[status] ?? [];
      scope.get(`${REPO_PATH}/actions/runs`).query({ status, per_page: 100 }).reply(200, { total_count: listed.length, workflow_runs: listed });
    }
  }
  return scope;
}

const STATUSES = ["requested", "queued", "pending", "waiting", "in_progress"] as const;

/** A workflow run as the REST API lists it, started by `actor`. */
function run(id: number, actor: object, path = ".github/workflows/ci.yml") {
  return { id, path, html_url: `https://github.com/Codertocat/Hello-World/actions/runs/${id}`, head_sha: HEAD, head_branch: "copilot/fix", actor, triggering_actor: actor, head_commit: null };
}

/** The open pull requests, one reply per page; `more`: the last page links to a next one, which must not be read. */
function mockOpenPullList(scope: nock.Scope, pages: { number: number; sha: string }[][], more = false) {
  pages.forEach((pulls, i) => {
    const query = { state: "open", sort: "updated", direction: "desc", per_page: 100, ...(i > 0 ? { page: i + 1 } : {}) };
    const next = `<${API}${REPO_PATH}/pulls?state=open&sort=updated&direction=desc&per_page=100&page=${i + 2}>; rel="next"`;
    const link = i < pages.length - 1 || more ? { link: next } : undefined;
    scope
      .get(`${REPO_PATH}/pulls`)
      .query(query)
      .reply(200, pulls.map((p) => ({ number: p.number, state: "open", head: { sha: p.sha, ref: `branch-${p.number}` } })), link);
  });
}

/** The app's newest run on a commit, as the agent-activity signal reads it. */
function mockSignal(scope: nock.Scope, sha: string, runs: object[]) {
  scope.get(`${REPO_PATH}/commits/${sha}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(200, { total_count: runs.length, check_runs: runs });
}

const humanRun = (id: number, appId = 123) => ({
  id,
  external_id: "agent-policy:x",
  status: "completed",
  conclusion: "success",
  app: { id: appId },
  output: { title: "Compliant: no AI assistant activity" },
});

describe("a policy change on the default branch re-evaluates the open agent pull requests", () => {
  expectEveryMockUsed();

  it("turns a suspended agent's open pull request red without any event on it, and skips a pull request judged free of assistants", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement();
    mockOpenPullList(scope, [[{ number: 2, sha: HEAD }, { number: 3, sha: HUMAN_HEAD }]]);
    mockSignal(scope, HEAD, []);
    mockSignal(scope, HUMAN_HEAD, [humanRun(60)]);
    // The evaluation of #2 reads the policy again (a conditional request, answered from the cache) and then everything else.
    const reads = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
    mockListRuns(reads);
    const posted = mockCreate(reads);

    await h.receive("push", policyPush());

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(posted.body!.output.summary).toContain("agent-suspended");
    expect(h.audit()).toEqual([expect.objectContaining({ event: "push", action: "policy_changed", pullRequest: 2, decision: "deny", ruleIds: ["agent-suspended"] })]);
  });

  it("judges each open pull request within a read budget of its own, so a policy change does not fail the later ones for the event's", async () => {
    // The push itself takes 11 reads (policy, compare, policy again, five run listings, open pulls, two signals); #2's evaluation 7 more.
    const h = await createHarness({ app: { readsPerEvent: 12 } });
    const scope = mockPushJudgement();
    mockOpenPullList(scope, [[{ number: 2, sha: HEAD }, { number: 3, sha: HUMAN_HEAD }]]);
    mockSignal(scope, HEAD, []);
    mockSignal(scope, HUMAN_HEAD, [humanRun(60)]);
    const reads = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
    mockListRuns(reads);
    const posted = mockCreate(reads);

    await h.receive("push", policyPush());

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(posted.body!.output.summary).not.toContain("budget");
    expect(h.audit()).toEqual([expect.objectContaining({ pullRequest: 2, decision: "deny", ruleIds: ["agent-suspended"] })]);
  });

  it("evaluates a pull request whose only run on its head is another app's, however it is titled", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement();
    mockOpenPullList(scope, [[{ number: 2, sha: HEAD }]]);
    mockSignal(scope, HEAD, [humanRun(61, 999)]);
    const reads = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
    mockListRuns(reads, [humanRun(61, 999)]);
    const posted = mockCreate(reads);
    await h.receive("push", policyPush());
    expect(posted.body!.conclusion).toBe("failure");
  });

  it("evaluates a pull request when its last check cannot be read (fail towards evaluating)", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement();
    mockOpenPullList(scope, [[{ number: 2, sha: HEAD }]]);
    scope.get(`${REPO_PATH}/commits/${HEAD}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(502, { message: "Bad Gateway" });
    const reads = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
    mockListRuns(reads);
    const posted = mockCreate(reads);
    await h.receive("push", policyPush());
    expect(posted.body!.conclusion).toBe("failure");
  });

  it("reads at most 200 open pull requests, page by page, and records that the rest were not reached", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement();
    const page = (p: number) => Array.from({ length: 100 }, (_, i) => ({ number: p * 100 + i + 1, sha: (p * 100 + i + 1).toString(16).padStart(40, "c") }));
    mockOpenPullList(scope, [page(0), page(1)], true);
    for (const pull of [...page(0), ...page(1)]) mockSignal(scope, pull.sha, [humanRun(pull.number)]);

    await h.receive("push", policyPush());

    const [record] = h.audit();
    expect(h.audit()).toHaveLength(1);
    expect(record).toMatchObject({ event: "push", action: "policy_changed", decision: "error", ruleIds: ["re-evaluation-incomplete"], response: "none" });
    expect(record.error).toContain("more than 200 open pull requests");
    expect(await h.stored()).toEqual([expect.objectContaining({ ruleIds: ["re-evaluation-incomplete"] })]);
    expect(h.logs.some((l) => l.bound === 200 && l.level === 40)).toBe(true);
  });

  it("records a listing that failed as an incomplete re-evaluation, and lets the delivery fail so it can be redelivered", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement();
    scope.get(`${REPO_PATH}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: 100 }).reply(502, { message: "Bad Gateway" });
    await expect(h.receive("push", policyPush())).rejects.toThrow(/list the open pull requests/);
    expect(h.audit()).toEqual([expect.objectContaining({ action: "policy_changed", decision: "error", ruleIds: ["re-evaluation-incomplete"] })]);
    expect(h.audit()[0].error).toMatch(/could not list the open pull requests.*HTTP 502/);
  });

  it("cancels the suspended agent's queued, waiting and running workflow runs, one audit record each, and leaves people's runs alone", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement(SUSPENDED, { queued: [run(901, COPILOT)], waiting: [run(902, COPILOT, ".github/workflows/deploy.yml")], in_progress: [run(903, HUMAN), run(901, COPILOT)] });
    scope.post(`${REPO_PATH}/actions/runs/901/cancel`).reply(202, {});
    scope.post(`${REPO_PATH}/actions/runs/902/cancel`).reply(409, { message: "Cannot cancel a workflow run that is completed." });
    mockOpenPullList(scope, [[]]);

    await h.receive("push", policyPush());

    const records = h.audit();
    expect(records).toEqual([
      expect.objectContaining({ event: "push", action: "policy_changed", workflowRunId: 901, response: "cancel_workflow_run", responded: true, decision: "deny", ruleIds: ["agent-suspended"] }),
      expect.objectContaining({ workflowRunId: 902, response: "cancel_workflow_run", responded: true, ruleIds: ["agent-suspended"] }),
    ]);
    expect(records[0].agents).toEqual([{ key: "copilot", owner: "@Codertocat/platform", declared: true }]);
    expect(await h.stored()).toHaveLength(2);
  });

  it("records a cancellation that failed, still re-evaluates the open pull requests, then fails the delivery", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement(SUSPENDED, { queued: [run(904, COPILOT)] });
    scope.post(`${REPO_PATH}/actions/runs/904/cancel`).reply(500, { message: "Server Error" });
    mockOpenPullList(scope, [[]]);
    await expect(h.receive("push", policyPush())).rejects.toThrow(/cancel workflow run 904/);
    expect(h.audit()).toEqual([expect.objectContaining({ workflowRunId: 904, responded: false, responseError: expect.stringContaining("could not cancel the run") })]);
    expect(h.logs.some((l) => l.msg === "open pull requests evaluated again")).toBe(true);
  });

  it("records but does not cancel in audit mode", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement(`mode: audit\n${SUSPENDED}`, { queued: [run(905, COPILOT)] });
    mockOpenPullList(scope, [[]]);
    await h.receive("push", policyPush());
    expect(h.audit()).toEqual([expect.objectContaining({ workflowRunId: 905, response: "none", mode: "audit", ruleIds: ["agent-suspended"] })]);
  });

  it("does not look at open pull requests after a push to the default branch that leaves the policy alone", async () => {
    const h = await createHarness();
    const scope = mockPolicy(POLICY);
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [commitEntry(AFTER, "Docs", { account: HUMAN_SENDER, ...HUMAN_GIT })], files: [] }]);
    await h.receive("push", policyPush(["README.md"]));
    expect(h.audit()).toEqual([]);
  });

  it("re-evaluates after a forced update of the default branch, whose commit list cannot prove the policy unchanged", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement();
    mockOpenPullList(scope, [[]]);
    const push = policyPush(["README.md"]);
    push.forced = true;
    await h.receive("push", push);
    expect(h.logs.some((l) => l.msg === "open pull requests evaluated again" && l.action === "policy_changed")).toBe(true);
  });

  it("still re-evaluates a pull request whose check a person's commit left green (the sender of the policy change is not an actor)", async () => {
    const h = await createHarness();
    const scope = mockPushJudgement(POLICY.replace("branches: [\"copilot/**\"]", "branches: [\"none/**\"]"));
    mockOpenPullList(scope, [[{ number: 2, sha: HEAD }]]);
    mockSignal(scope, HEAD, [{ ...humanRun(62), output: { title: "Compliant: copilot stayed within policy" } }]);
    const reads = mockReads({ token: false, ifNoneMatch: '"p1"', user: COPILOT, files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
    mockListRuns(reads);
    const posted = mockCreate(reads);
    await h.receive("push", policyPush());
    expect(posted.body!.conclusion).toBe("failure");
    expect(h.audit()[0]).toMatchObject({ ruleIds: ["branch-scope"], actor: { login: HUMAN.login } });
  });
});
