import nock from "nock";
import { describe, expect, it } from "vitest";
import { GrantExpiryTimers } from "../../src/app/grant-expiry-timers.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed, NOW, REPO_PATH } from "./harness.js";
import { activity, HEAD, mockActivity, mockCreate, mockListRuns, mockReads, pagedReply } from "./mocks.js";

const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const GRANT = "/agent-policy grant copilot paths:infra/** for 30m because OPS-1234";
const CREATED = new Date(NOW.getTime() - 10 * 60_000).toISOString().replace(".000", "");
const ENDS = new Date(NOW.getTime() + 20 * 60_000);
const REPLY = { id: 9901, body: "<!-- agent-policy:grant-reply 5501 -->\nGranted", user: { login: "agent-policy[bot]", id: 1, type: "Bot" }, created_at: CREATED, updated_at: CREATED, performed_via_github_app: { id: 123 } };

/** What one evaluation with the grant comment reads: the change, the comments, who pushed, the team, the pull request's events. */
function mockEvaluation(o: { token: boolean; etag?: boolean }) {
  const scope = mockReads({
    files: [fileEntry("infra/main.tf")],
    commits: [commitEntry(HEAD, "Add the cluster", { account: COPILOT, ...COPILOT_COMMITTER })],
    comments: 2,
    token: o.token,
    ...(o.etag ? { ifNoneMatch: '"p1"' } : {}),
  });
  mockListRuns(scope);
  pagedReply(scope, `${REPO_PATH}/issues/2/comments`, [{ id: 5501, body: GRANT, user: LEAD, created_at: CREATED, updated_at: CREATED }, REPLY]);
  mockActivity(scope, [activity(COPILOT, "branch_creation")]);
  scope.get("/orgs/codertocat/teams/platform/members").query({ per_page: 100 }).reply(200, [LEAD]);
  pagedReply(scope, `${REPO_PATH}/issues/2/events`, []);
  return scope;
}

describe("a grant's end takes effect on time", () => {
  expectEveryMockUsed();

  it("judges the pull request again when its grant expires: the check turns red and the expiry is an audit record", async () => {
    let now = NOW;
    const scheduled: { at: Date; task: () => Promise<void> }[] = [];
    const timers = new GrantExpiryTimers((at, task) => (scheduled.push({ at, task }), { cancel: () => undefined }));
    const h = await createHarness({ app: { clock: () => now, grantTimers: timers } });

    const green = mockCreate(mockEvaluation({ token: true }));
    const payload = examplePayload("pull_request", "opened");
    payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
    payload.sender = { ...payload.sender, ...COPILOT };
    await h.receive("pull_request", payload);
    expect(green.body!.conclusion).toBe("success");
    expect(scheduled.map((s) => s.at.toISOString())).toEqual([ENDS.toISOString()]);
    expect(nock.pendingMocks()).toEqual([]);

    now = ENDS;
    const red = mockCreate(mockEvaluation({ token: false, etag: true }));
    await scheduled[0]!.task();
    expect(red.body!.conclusion).toBe("failure");
    expect(red.body!.output.summary).toContain("Ended:");
    const expiry = h.audit().filter((r) => r.grantAction === "expired");
    expect(expiry).toEqual([
      expect.objectContaining({
        event: "grant_expiry",
        response: "none",
        pullRequest: 2,
        time: ENDS.toISOString(),
        grants: [{ agent: "copilot", by: "octo-lead", scope: ["paths:infra/**"], expires: ENDS.toISOString(), reason: "OPS-1234" }],
      }),
    ]);
    expect(scheduled).toHaveLength(1);
  });
});

describe("GrantExpiryTimers", () => {
  it("keeps one pending re-evaluation per pull request, at the earliest end", () => {
    const armed: string[] = [];
    const cancelled: string[] = [];
    const timers = new GrantExpiryTimers((at) => (armed.push(at.toISOString()), { cancel: () => cancelled.push(at.toISOString()) }));
    const task = async () => undefined;
    timers.at("o/r#1", new Date("2026-11-27T16:00:00Z"), task);
    timers.at("o/r#1", new Date("2026-11-27T17:00:00Z"), task);
    timers.at("o/r#1", new Date("2026-11-27T15:00:00Z"), task);
    timers.at("o/r#2", new Date("2026-11-27T18:00:00Z"), task);
    expect(armed).toEqual(["2026-11-27T16:00:00.000Z", "2026-11-27T15:00:00.000Z", "2026-11-27T18:00:00.000Z"]);
    expect(cancelled).toEqual(["2026-11-27T16:00:00.000Z"]);
    expect(timers.size).toBe(2);
  });
});
