import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { CheckRuns } from "./check-runs.js";
import { API, createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockApprovalReads, mockPullsOfCommit, mockReads, pagedReply, type Scenario } from "./mocks.js";
import { mockCompare, mockOpenPulls, mockPolicy, payloadCommit, pushPayload } from "./push-mocks.js";

const PARENT = "1111111111111111111111111111111111111111";
const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const copilotCommit = () => commitEntry(HEAD, "Implement the change", { account: COPILOT, ...COPILOT_COMMITTER });

function pullEvent(o: { number?: number; author?: object; sender?: object; action?: string; before?: string }) {
  const payload = examplePayload("pull_request", "opened");
  payload.action = o.action ?? "opened";
  payload.number = o.number ?? 2;
  payload.pull_request.number = o.number ?? 2;
  payload.pull_request.head.sha = HEAD;
  payload.pull_request.user = { ...payload.pull_request.user, ...(o.author ?? COPILOT) };
  payload.sender = { ...payload.sender, ...(o.sender ?? o.author ?? COPILOT) };
  if (o.before) payload.before = o.before;
  return payload;
}

/** One pull request evaluation against the stored runs: its reads, the commit's state, the check run it posts. */
function mockPullEvaluation(runs: CheckRuns, s: Scenario, pullsAtHead: number[]) {
  const scope = mockReads(s);
  runs.list(scope);
  mockPullsOfCommit(scope, HEAD, pullsAtHead);
  runs.create(scope);
  return scope;
}

/** PR #2 by Copilot from a branch outside its `branches`: denied. */
async function failFirstPullRequest(h: Awaited<ReturnType<typeof createHarness>>, runs: CheckRuns) {
  mockPullEvaluation(runs, { headRef: "feature/x", files: [fileEntry("src/app.ts")], commits: [copilotCommit()] }, [2]);
  await h.receive("pull_request", pullEvent({ number: 2 }), "d-pr-2");
  expect(runs.verdict()).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot" } });
}

describe("one verdict per commit: the worst over every subject whose head it is", () => {
  expectEveryMockUsed();

  it("keeps a commit failed when a second pull request with the same head, into another base, is harmless", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await failFirstPullRequest(h, runs);

    mockPullEvaluation(runs, { token: false, number: 3, baseRef: "release/1.x", files: [fileEntry("src/ok.ts")], commits: [copilotCommit()] }, [2, 3]);
    await h.receive("pull_request", pullEvent({ number: 3 }), "d-pr-3");

    const run = runs.verdict();
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Denied: 1 finding for copilot (pull request #2 with this head)");
    expect(run.output.summary).toContain("#### This commit's verdict");
    expect(run.output.summary).toContain("| pull request #2 | failure | Denied: 1 finding for copilot |");
    expect(run.output.summary).toContain("| pull request #3 (this evaluation) | success | Compliant: copilot stayed within policy |");
    expect(h.audit().at(-1)).toMatchObject({
      pullRequest: 3,
      decision: "allow",
      conclusion: "failure",
      subjects: [
        { subject: "pr:2", conclusion: "failure" },
        { subject: "pr:3", conclusion: "success" },
      ],
    });
  });

  it("holds the verdict back while another open pull request with the head has not been judged", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    mockPullEvaluation(runs, { files: [fileEntry("src/ok.ts")], commits: [copilotCommit()] }, [2, 5]);
    await h.receive("pull_request", pullEvent({ number: 2 }));
    const run = runs.verdict();
    expect(run.conclusion).toBe("action_required");
    expect(run.output.title).toBe("Pending: pull request #5 with this head has not been judged yet");
    expect(run.output.summary).toContain("| pull request #5 | action_required | not judged yet |");
  });

  it("lets a failed pull request's verdict go once it is closed: only open pull requests with the head count", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await failFirstPullRequest(h, runs);
    mockPullEvaluation(runs, { token: false, number: 3, files: [fileEntry("src/ok.ts")], commits: [copilotCommit()] }, [3]);
    await h.receive("pull_request", pullEvent({ number: 3 }), "d-pr-3");
    expect(runs.verdict()).toMatchObject({ conclusion: "success", output: { title: "Compliant: copilot stayed within policy" } });
    expect(runs.verdict().output.summary).toContain("| pull request #2 | — | not counted: no longer an open pull request with this head (was failure) |");
  });

  it("keeps a commit failed when an agent pushes the same head to another branch, compared with a harmless parent", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await failFirstPullRequest(h, runs);

    const scope = mockPolicy(undefined, nock(API));
    mockOpenPulls(scope, "copilot/other");
    mockCompare(scope, `${PARENT}...${HEAD}`, [{ commits: [copilotCommit()], files: [fileEntry("src/ok.ts")] }]);
    runs.list(scope);
    mockPullsOfCommit(scope, HEAD, [2]);
    runs.create(scope);
    const push = pushPayload({ ref: "refs/heads/copilot/other", before: PARENT, after: HEAD });
    push.commits = [payloadCommit(HEAD, "Implement the change", { name: "Copilot", email: COPILOT_COMMITTER.email, username: "Copilot" })];
    await h.receive("push", push, "d-push");

    const run = runs.verdict();
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Denied: 1 finding for copilot (pull request #2 with this head)");
    expect(run.output.summary).toContain("| push to `copilot/other` (this evaluation) | — | not counted: an open pull request with this head judges it (was success) |");
    expect(h.audit().at(-1)).toMatchObject({ event: "push", decision: "allow", conclusion: "failure", subjects: [{ subject: "pr:2", conclusion: "failure" }] });
  });

  it("keeps a push's deny on the commit when a pull request with that head is opened into a base that makes it look harmless", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockPolicy();
    mockOpenPulls(scope, "copilot/fix");
    mockCompare(scope, `${PARENT}...${HEAD}`, [{ commits: [copilotCommit()], files: [fileEntry(".env", "added")] }]);
    runs.list(scope);
    mockPullsOfCommit(scope, HEAD, []);
    runs.create(scope);
    await h.receive("push", pushPayload({ before: PARENT, after: HEAD }), "d-push");
    expect(runs.verdict().conclusion).toBe("failure");

    mockPullEvaluation(runs, { token: false, baseRef: "release/1.x", files: [fileEntry("src/ok.ts")], commits: [copilotCommit()] }, [2]);
    await h.receive("pull_request", pullEvent({ number: 2 }), "d-pr-2");
    const run = runs.verdict();
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Denied: 2 findings for copilot (push to copilot/fix with this head)");
  });

  it("lets a pull request's approval settle the step-up a push of the same head is waiting for", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockPolicy();
    mockOpenPulls(scope, "copilot/fix");
    mockCompare(scope, `${PARENT}...${HEAD}`, [{ commits: [copilotCommit()], files: [fileEntry("package.json")] }]);
    runs.list(scope);
    mockPullsOfCommit(scope, HEAD, []);
    runs.create(scope);
    await h.receive("push", pushPayload({ before: PARENT, after: HEAD }), "d-push");
    expect(runs.verdict().conclusion).toBe("action_required");

    const review = nock(API);
    mockPullEvaluation(runs, { token: false, files: [fileEntry("package.json")], commits: [copilotCommit()] }, [2]);
    const reviews = [{ id: 1, user: LEAD, state: "APPROVED", commit_id: HEAD, submitted_at: "2026-11-27T11:00:00Z" }];
    mockApprovalReads(review, reviews);
    pagedReply(review, `${REPO_PATH}/pulls/2/reviews`, reviews);
    await h.receive("pull_request", pullEvent({ number: 2 }), "d-pr-2");
    expect(runs.verdict()).toMatchObject({ conclusion: "success", output: { title: "Approved: step-up review satisfied for copilot" } });
  });
});
