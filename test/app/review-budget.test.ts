import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, pullResponse } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { CheckRuns } from "./check-runs.js";
import { API, createHarness, expectEveryMockUsed, mockToken, policyContent, REPO_PATH, mockBaseline } from "./harness.js";
import { HEAD, mockApprovalReads, mockPullsOfCommit, mockReads, pagedReply, POLICY } from "./mocks.js";

/** The largest pull request GitHub lists whole (at 3,000 files the listing may be cut short: denied). */
const FILES = 2999;
const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const ALICE = { login: "alice", id: 7002, type: "User" };
const TEAM_POLICY = POLICY.replace('approvers: { users: ["octo-lead"] }', 'approvers: { teams: ["Codertocat/security"] }');

/** A pull request of `files` files, one of which (package.json) owes the `dependencies` step-up. */
const bigPr = (files = FILES) => ({
  files: [fileEntry("package.json"), ...Array.from({ length: files - 1 }, (_, i) => fileEntry(`src/module-${i}/file-${i}.ts`))],
  commits: [commitEntry(HEAD, "Bump dependencies", { account: COPILOT, ...COPILOT_COMMITTER })],
});

let reviewId = 500;
function reviewEvent(user: object, state: string, action = "submitted") {
  const payload = examplePayload("pull_request_review", action === "dismissed" ? "dismissed" : "submitted");
  payload.action = action;
  payload.review = { ...payload.review, id: reviewId++, user, state, commit_id: HEAD };
  payload.sender = { ...payload.sender, ...user };
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  return payload;
}

function review(user: object, state: string, submittedAt: string) {
  return { id: reviewId++, user, state, commit_id: HEAD, submitted_at: submittedAt, body: "" };
}

function prEvent() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

/** Counts every API call an event makes (interceptors answered, and any call no mock answers). */
function callCounter() {
  let calls = 0;
  const unanswered: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string }) => unanswered.push(`${req.method} ${req.path}`);
  nock.emitter.on("no match", onNoMatch);
  return {
    watch(scope: nock.Scope) {
      scope.on("request", () => (calls += 1));
      return scope;
    },
    take() {
      const n = calls + unanswered.length;
      calls = 0;
      return n;
    },
    unanswered,
    stop: () => nock.emitter.removeListener("no match", onNoMatch),
  };
}

/** The full evaluation of the big pull request at HEAD: the reads, the step-up's reads, the commit's pull requests, one check run. */
function mockEvaluation(runs: CheckRuns, counter: ReturnType<typeof callCounter>, reviews: object[], o: { token?: boolean; cached?: boolean; listRuns?: boolean } = {}) {
  const scope = counter.watch(mockReads({ ...bigPr(), token: o.token ?? false, ...(o.cached ? { ifNoneMatch: '"p1"' } : {}) }));
  // The reviews are read to judge the step-up, and again right before the verdict is posted.
  mockApprovalReads(scope, reviews);
  pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
  return scope;
}

describe("reviews spend the installation's budget only when they can change the verdict", () => {
  expectEveryMockUsed();

  it(`140 COMMENTED reviews on a ${FILES}-file pull request cost no API call; a non-approver's approval one; an approver's re-evaluates`, async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const counter = callCounter();
    try {
      // The pull request is opened and judged: a step-up waits on octo-lead.
      const opened = mockEvaluation(runs, counter, [], { token: true });
      opened.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
      runs.list(opened);
      mockPullsOfCommit(opened, HEAD, [2]);
      runs.create(opened);
      await h.receive("pull_request", prEvent(), "opened");
      expect(runs.verdict().conclusion).toBe("action_required");
      const evaluation = counter.take();
      expect(evaluation).toBeGreaterThan(35);

      // The agent (and anyone else) comments 140 times: nothing is read, nothing is posted.
      const commenters = [COPILOT, ALICE, LEAD];
      for (let i = 0; i < 140; i++) {
        await h.receive("pull_request_review", reviewEvent(commenters[i % 3]!, "commented"), `comment-${i}`);
        expect(counter.take()).toBe(0);
      }
      // An approval by the agent itself, or a review bot: decided from the payload alone.
      await h.receive("pull_request_review", reviewEvent(COPILOT, "approved"), "agent-approves");
      expect(counter.take()).toBe(0);

      // An approval by someone who is not an approver: one read of the commit's record.
      runs.list(counter.watch(nock(API)));
      await h.receive("pull_request_review", reviewEvent(ALICE, "approved"), "alice-approves");
      expect(counter.take()).toBe(1);
      expect(runs.runs).toHaveLength(1);

      // The approver approves: the record says octo-lead could change the verdict, so it is judged again and passes.
      const approved = mockEvaluation(runs, counter, [review(LEAD, "APPROVED", "2026-11-27T11:00:00Z")], { cached: true });
      runs.list(approved);
      mockPullsOfCommit(approved, HEAD, [2]);
      runs.create(approved);
      await h.receive("pull_request_review", reviewEvent(LEAD, "approved"), "lead-approves");
      expect(runs.verdict().conclusion).toBe("success");
      // The record read by the gate is the one the evaluation uses: no second listing of the check runs, so the
      // approval costs what opening did, less the token exchange and the review request.
      expect(counter.take()).toBe(evaluation - 2);

      // Dismissing that approval can only hold the change again: judged, never left green.
      const dismissed = mockEvaluation(runs, counter, [review(LEAD, "DISMISSED", "2026-11-27T11:00:00Z")], { cached: true });
      dismissed.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
      runs.list(dismissed);
      mockPullsOfCommit(dismissed, HEAD, [2]);
      runs.create(dismissed);
      await h.receive("pull_request_review", reviewEvent(LEAD, "dismissed", "dismissed"), "lead-dismissed");
      expect(runs.verdict().conclusion).toBe("action_required");
      expect(counter.unanswered).toEqual([]);
      expect(h.audit().map((r) => r.event)).toEqual(["pull_request", "pull_request_review", "pull_request_review"]);
    } finally {
      counter.stop();
    }
  }, 120_000);

  it("on a 3,000-file pull request (denied: too large to verify) even an approver's approval costs one read", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const counter = callCounter();
    try {
      const opened = counter.watch(mockReads(bigPr(3000)));
      // A step-up is owed, but a deny stands whatever the reviews say: they are read once, not again before posting.
      mockApprovalReads(opened, []);
      runs.list(opened);
      mockPullsOfCommit(opened, HEAD, [2]);
      runs.create(opened);
      await h.receive("pull_request", prEvent(), "opened");
      expect(runs.verdict().conclusion).toBe("failure");
      counter.take();
      for (let i = 0; i < 140; i++) await h.receive("pull_request_review", reviewEvent(COPILOT, "commented"), `comment-${i}`);
      expect(counter.take()).toBe(0);
      runs.list(counter.watch(nock(API)));
      await h.receive("pull_request_review", reviewEvent(LEAD, "approved"), "lead-approves");
      expect(counter.take()).toBe(1);
      expect(runs.runs).toHaveLength(1);
      expect(h.logs).toContainEqual(expect.objectContaining({ reason: "no step-up of this pull request waits on an approval" }));
      expect(counter.unanswered).toEqual([]);
    } finally {
      counter.stop();
    }
  }, 120_000);

  it("asks an approver team about a reviewer: a non-member costs the record and one lookup, a member is judged", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const counter = callCounter();
    try {
      const small = { files: [fileEntry("package.json")], commits: bigPr().commits, policy: TEAM_POLICY };
      const opened = counter.watch(mockReads(small));
      mockApprovalReads(opened, []);
      pagedReply(opened, `${REPO_PATH}/pulls/2/reviews`, []);
      pagedReply(opened, "/orgs/codertocat/teams/security/members", [LEAD]);
      opened.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
      runs.list(opened);
      mockPullsOfCommit(opened, HEAD, [2]);
      runs.create(opened);
      await h.receive("pull_request", prEvent(), "opened");
      expect(runs.verdict().conclusion).toBe("action_required");
      counter.take();

      const asked = counter.watch(nock(API));
      runs.list(asked);
      asked.get("/orgs/codertocat/teams/security/memberships/alice").reply(404, { message: "Not Found" });
      await h.receive("pull_request_review", reviewEvent(ALICE, "approved"), "alice-approves");
      expect(counter.take()).toBe(2);
      expect(runs.runs).toHaveLength(1);

      const member = counter.watch(mockReads({ ...small, token: false, ifNoneMatch: '"p1"' }));
      member.get("/orgs/codertocat/teams/security/memberships/octo-lead").reply(200, { state: "active", role: "member" });
      mockApprovalReads(member, [review(LEAD, "APPROVED", "2026-11-27T11:00:00Z")]);
      pagedReply(member, "/orgs/codertocat/teams/security/members", [LEAD]);
      pagedReply(member, `${REPO_PATH}/pulls/2/reviews`, [review(LEAD, "APPROVED", "2026-11-27T11:00:00Z")]);
      runs.list(member);
      mockPullsOfCommit(member, HEAD, [2]);
      runs.create(member);
      await h.receive("pull_request_review", reviewEvent(LEAD, "approved"), "lead-approves");
      expect(runs.verdict().conclusion).toBe("success");
      expect(counter.unanswered).toEqual([]);
    } finally {
      counter.stop();
    }
  });
});

describe("the read budget of one event", () => {
  expectEveryMockUsed();

  it("fails closed when an event has spent its reads: a failure check that says so, and an audit record, never a pass", async () => {
    const h = await createHarness({ app: { readsPerEvent: 3 } });
    // The policy, the org baseline and the pull request are read; every read after those three is refused before it is made.
    const scope = mockToken();
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, pullResponse({ number: 2, headSha: HEAD, headRef: "copilot/fix", user: COPILOT, changedFiles: FILES, commits: 1 }));
    const posted: { body?: Record<string, any> } = {};
    scope.post(`${REPO_PATH}/check-runs`, (body) => ((posted.body = body), true)).reply(201, { id: 77 });
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("failure");
    expect(visibleText(posted.body!.output.summary)).toContain("this event reached its budget of 3 GitHub API reads (API_READS_PER_EVENT), so it is not judged: failing closed");
    const [record] = h.audit();
    expect(record).toMatchObject({ event: "pull_request", conclusion: "failure" });
    expect(record.error).toContain("budget of 3 GitHub API reads");
  });
});
