import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { createHarness, REPO_PATH, expectEveryMockUsed } from "./harness.js";
import { visibleText } from "../report/github-markdown.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads, pagedReply, POLICY, type Scenario } from "./mocks.js";

const OLD = "0000000000000000000000000000000000000001";
const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const ALICE = { login: "alice", id: 7002, type: "User" };
const CODERABBIT = { login: "coderabbitai[bot]", id: 136622811, type: "Bot" };
const TEAM_POLICY = POLICY.replace('approvers: { users: ["octo-lead"] }', 'approvers: { teams: ["Codertocat/security"] }');

const copilotCommit = () => commitEntry(HEAD, "Bump dependencies", { account: COPILOT, ...COPILOT_COMMITTER });
const stepUpPr: Scenario = { files: [fileEntry("package.json")], commits: [copilotCommit()] };

let reviewId = 100;
function review(user: object, state: string, commitId = HEAD, submittedAt = "2026-11-27T11:00:00Z") {
  return { id: reviewId++, user, state, commit_id: commitId, submitted_at: submittedAt, body: "" };
}

function reviewEvent(user: object, state: string, action = "submitted") {
  const payload = examplePayload("pull_request_review", action === "dismissed" ? "dismissed" : "submitted");
  payload.action = action;
  payload.review = { ...payload.review, user, state: state.toLowerCase(), commit_id: HEAD };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

function prEvent() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

/** One evaluation with step-up facts: the reads, the reviews, team lookups, then the check run. */
function mockStepUp(s: Scenario, reviews: object[], extra?: (scope: nock.Scope) => void, reads = 2) {
  const scope = mockReads(s);
  // Read to judge the approvals, and (when they decide a step-up) again right before the verdict is posted.
  mockApprovalReads(scope, reviews);
  for (let i = 1; i < reads; i++) pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
  extra?.(scope);
  mockListRuns(scope);
  return { scope, posted: mockCreate(scope) };
}

function expectReviewRequest(scope: nock.Scope, body: object, status = 201) {
  const seen: { body?: unknown } = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((seen.body = b), true)).reply(status, status < 300 ? {} : { message: "Reviews may only be requested from collaborators." });
  return seen;
}

describe("step-up review", () => {
  expectEveryMockUsed();

  it("asks the approvers for review and keeps the check action_required, with a Re-evaluate button", async () => {
    const h = await createHarness();
    const { scope, posted } = mockStepUp(stepUpPr, []);
    const asked = expectReviewRequest(scope, {});
    await h.receive("pull_request", prEvent());
    expect(asked.body).toEqual({ reviewers: ["octo-lead"], team_reviewers: [] });
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.title).toBe("Requires step-up review: 1 finding for copilot");
    expect(posted.body!.output.annotations).toEqual([expect.objectContaining({ path: "package.json", annotation_level: "warning", title: "step-up (step-up)" })]);
    expect(posted.body!.actions).toEqual([{ label: "Re-evaluate", description: "Evaluate the agent policy again", identifier: "re-evaluate" }]);
    expect(posted.body!.output.summary).toContain("| `dependencies` | @octo-lead | nobody yet | 1 of 1 | `package.json` |");
    expect(posted.body!.output.summary).toContain("- Review requested from @\u2060octo-lead.");
  });

  it("does not ask a reviewer who was already asked", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp({ ...stepUpPr, requestedReviewers: ["octo-lead"] }, []);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.summary).toContain("Not asked: @\u2060octo-lead (already asked).");
  });

  it("still posts the check when requesting reviews fails, and says so", async () => {
    const h = await createHarness();
    const { scope, posted } = mockStepUp(stepUpPr, []);
    expectReviewRequest(scope, {}, 422);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("action_required");
    expect(visibleText(posted.body!.output.summary)).toContain("Requesting reviews failed: GitHub API failure while trying to request step-up reviews on #2 (HTTP 422)");
  });

  it("turns green on an approval at the head commit from a listed approver (pull_request_review.submitted)", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp(stepUpPr, [review(LEAD, "APPROVED")]);
    await h.receive("pull_request_review", reviewEvent(LEAD, "APPROVED"));
    expect(posted.body!.conclusion).toBe("success");
    expect(posted.body!.output.title).toBe("Approved: step-up review satisfied for copilot");
    expect(posted.body!.output.summary).toContain("| `dependencies` | @octo-lead | @\u2060octo-lead | satisfied | `package.json` |");
    expect(h.audit()[0]).toMatchObject({ event: "pull_request_review", action: "submitted", decision: "allow", actor: { login: "octo-lead" } });
  });

  it("does not count an approval given at an older commit, and asks again", async () => {
    const h = await createHarness();
    const { scope, posted } = mockStepUp(stepUpPr, [review(LEAD, "APPROVED", OLD)]);
    expectReviewRequest(scope, {});
    await h.receive("pull_request_review", reviewEvent(LEAD, "APPROVED"));
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.summary).toContain("@\u2060octo-lead (approved an older commit)");
  });

  it("keeps the step-up pending while an approver requests changes", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp(stepUpPr, [review(LEAD, "APPROVED", HEAD, "2026-11-27T10:00:00Z"), review(LEAD, "CHANGES_REQUESTED", HEAD, "2026-11-27T11:00:00Z")], (scope) =>
      expectReviewRequest(scope, {}),
    );
    await h.receive("pull_request_review", reviewEvent(LEAD, "CHANGES_REQUESTED"));
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.summary).toContain("(changes requested by @\u2060octo-lead)");
  });

  it("stops counting a dismissed approval (pull_request_review.dismissed)", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp(stepUpPr, [review(LEAD, "DISMISSED")], (scope) => expectReviewRequest(scope, {}));
    await h.receive("pull_request_review", reviewEvent(LEAD, "DISMISSED", "dismissed"));
    expect(posted.body!.conclusion).toBe("action_required");
  });

  it("never counts a review bot's approval", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp(stepUpPr, [review(CODERABBIT, "APPROVED")], (scope) => expectReviewRequest(scope, {}));
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.summary).toContain("@\u2060coderabbitai\\[bot\\] (bot)");
  });

  it("does not even evaluate on a review bot's approval: it cannot change the verdict (no API call)", async () => {
    const h = await createHarness();
    await h.receive("pull_request_review", reviewEvent(CODERABBIT, "APPROVED"));
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: "this review cannot change the verdict; not evaluated", reason: "a bot's or assistant's review never counts" }));
    expect(h.audit()).toEqual([]);
  });

  it("counts an active member of an approver team, read through the API", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp({ ...stepUpPr, policy: TEAM_POLICY }, [review(ALICE, "APPROVED")], (scope) =>
      pagedReply(scope, "/orgs/codertocat/teams/security/members", [ALICE]),
    );
    await h.receive("pull_request_review", reviewEvent(ALICE, "APPROVED"));
    expect(posted.body!.conclusion).toBe("success");
  });

  it("fails closed when an approver team cannot be read, and says why", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp({ ...stepUpPr, policy: TEAM_POLICY }, [review(ALICE, "APPROVED")], (scope) => {
      scope.get("/orgs/codertocat/teams/security/members").query({ per_page: 100 }).reply(404, { message: "Not Found" });
    });
    await h.receive("pull_request_review", reviewEvent(ALICE, "APPROVED"));
    expect(posted.body!.conclusion).toBe("action_required");
    expect(visibleText(posted.body!.output.summary)).toContain("team @codertocat/security does not exist or is not visible to the app");
  });

  it("reads every page of more than 100 reviews", async () => {
    const h = await createHarness();
    const noise = Array.from({ length: 140 }, (_, i) => review({ login: `watcher${i}`, id: 8000 + i, type: "User" }, "COMMENTED"));
    const { posted } = mockStepUp(stepUpPr, [...noise, review(LEAD, "APPROVED")]);
    await h.receive("pull_request_review", reviewEvent(LEAD, "APPROVED"));
    expect(posted.body!.conclusion).toBe("success");
  });

  it("never approves a deny away", async () => {
    const h = await createHarness();
    const { posted } = mockStepUp({ files: [fileEntry("package.json"), fileEntry(".env")], commits: [copilotCommit()] }, [review(LEAD, "APPROVED")], undefined, 1);
    await h.receive("pull_request_review", reviewEvent(LEAD, "APPROVED"));
    expect(posted.body!.conclusion).toBe("failure");
  });

  it("re-evaluates on the check run's Re-evaluate button and on a native re-run", async () => {
    for (const action of ["requested_action", "rerequested"] as const) {
      const h = await createHarness();
      const payload = examplePayload("check_run", action);
      payload.repository = prEvent().repository;
      payload.installation = { id: 1 };
      payload.check_run = { ...payload.check_run, head_sha: HEAD, app: { ...payload.check_run.app, id: 123 }, pull_requests: [{ number: 2 }] };
      if (action === "requested_action") payload.requested_action = { identifier: "re-evaluate" };
      const { posted } = mockStepUp(stepUpPr, [review(LEAD, "APPROVED")]);
      await h.receive("check_run", payload);
      expect(posted.body!.conclusion).toBe("success");
      nock.cleanAll();
    }
  });

  it("ignores another app's check-run button", async () => {
    const h = await createHarness();
    const payload = examplePayload("check_run", "requested_action");
    payload.check_run.app.id = 999;
    await h.receive("check_run", payload);
    expect(h.audit()).toEqual([]);
  });
});
