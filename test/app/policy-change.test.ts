import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, fileEntry, HUMAN } from "../fixtures/github.js";
import { API, createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
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

/** The push's own judgement on master: the policy read, and the compare that shows only the person's commit. */
function mockPushJudgement(policy = SUSPENDED) {
  const scope = mockPolicy(policy);
  mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [commitEntry(AFTER, "Suspend copilot", { account: HUMAN_SENDER, ...HUMAN_GIT })], files: [] }]);
  return scope;
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

  it("does not look at open pull requests after a push to the default branch that leaves the policy alone", async () => {
    const h = await createHarness();
    mockPushJudgement(POLICY);
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
