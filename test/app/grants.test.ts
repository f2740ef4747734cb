import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { API, createHarness, expectEveryMockUsed, mockToken, NOW, policyContent, REPO_PATH, mockBaseline } from "./harness.js";
import { activity, HEAD, mockActivity, mockCreate, mockListRuns, mockReads, pagedReply, POLICY, type Scenario } from "./mocks.js";

const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const GRANT = "/agent-policy grant copilot paths:infra/** for 4h because OPS-1234";
const COMMENT_ID = 5501;
const CREATED = new Date(NOW.getTime() - 10 * 60_000).toISOString().replace(".000", "");

/** GitHub's `issue_comment` example, moved onto pull request #2 with the given author and body. */
function commentPayload(action: "created" | "edited" | "deleted", user: object | null, body: string, extra: Record<string, any> = {}) {
  const payload = examplePayload("issue_comment", "created");
  payload.action = action;
  payload.issue = { ...payload.issue, number: 2, state: "open", html_url: "https://github.com/Codertocat/Hello-World/pull/2", pull_request: { url: `${API}${REPO_PATH}/pulls/2` } };
  payload.comment = { ...payload.comment, id: COMMENT_ID, body, user, created_at: CREATED, updated_at: CREATED, ...extra };
  payload.sender = user ?? payload.sender;
  return payload;
}

/** A comment as `issues.listComments` lists it. */
function listed(user: object | null, body: string, o: { id?: number; updatedAt?: string; app?: number } = {}) {
  return {
    id: o.id ?? COMMENT_ID,
    body,
    user,
    created_at: CREATED,
    updated_at: o.updatedAt ?? CREATED,
    ...(o.app ? { performed_via_github_app: { id: o.app } } : {}),
  };
}

function infraChange(extra: Partial<Scenario> = {}): Scenario {
  return { files: [fileEntry("infra/main.tf")], commits: [commitEntry(HEAD, "Add the cluster", { account: COPILOT, ...COPILOT_COMMITTER })], ...extra };
}

/** The reads of a policy loaded a second time in one event: GitHub answers 304 to the cached ETag. */
function mockPolicyTwice(scope: nock.Scope) {
  mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
  return mockReads({ ...infraChange(), token: false, ifNoneMatch: '"p1"' });
}

function mockPlatformTeam(scope: nock.Scope, members: object[] = [LEAD]) {
  scope.get("/orgs/codertocat/teams/platform/members").query({ per_page: 100 }).reply(200, members);
}

function mockReply(scope: nock.Scope) {
  const posted: { body?: Record<string, any> } = {};
  scope.post(`${REPO_PATH}/issues/2/comments`, (body) => ((posted.body = body), true)).reply(201, { id: 9901 });
  return posted;
}

describe("task-scoped grants in pull request comments", () => {
  expectEveryMockUsed();

  it("grants the owner team's member scope for this pull request: the check passes, names the grant, and one answer says until when", async () => {
    const h = await createHarness();
    const scope = mockToken();
    mockPolicyTwice(scope);
    mockListRuns(scope);
    pagedReply(scope, `${REPO_PATH}/issues/2/comments`, [listed(LEAD, GRANT)]);
    mockActivity(scope, [activity(COPILOT, "branch_creation")]);
    mockPlatformTeam(scope);
    pagedReply(scope, `${REPO_PATH}/issues/2/events`, [{ id: 1, event: "labeled", created_at: "2026-11-27T09:00:00Z" }]);
    const check = mockCreate(scope);
    const reply = mockReply(scope);

    await h.receive("issue_comment", commentPayload("created", LEAD, GRANT));

    expect(check.body!.conclusion).toBe("success");
    const summary = visibleText(check.body!.output.summary);
    expect(summary).toContain("Task-scoped grants");
    expect(summary).toContain("copilot\npaths:infra/**\n@octo-lead\n2026-11-27 15:50:00 UTC\nOPS-1234");
    expect(reply.body!.body).toMatch(/^<!-- agent-policy:grant-reply 5501 -->\n\*\*Granted\*\* to `copilot` on this pull request only, by @\u2060octo-lead, until \*\*2026-11-27 15:50:00 UTC\*\*/);
    const records = h.audit();
    expect(records.map((r) => [r.response, r.grantAction ?? null, r.decision])).toEqual([
      ["check_run", null, "allow"],
      ["grant_reply", "granted", "allow"],
    ]);
    expect(records[0].grants).toEqual([{ agent: "copilot", by: "octo-lead", scope: ["paths:infra/**"], expires: "2026-11-27T15:50:00.000Z", reason: "OPS-1234" }]);
    expect(records[1]).toMatchObject({ pullRequest: 2, commandCommentId: COMMENT_ID, target: { kind: "issue_comment", id: 9901 }, actor: { login: "octo-lead", id: 7001 } });
  });

  it("refuses a grant from someone who pushed to the pull request's branch, and the check stays red", async () => {
    const h = await createHarness();
    const scope = mockToken();
    mockPolicyTwice(scope);
    mockListRuns(scope);
    pagedReply(scope, `${REPO_PATH}/issues/2/comments`, [listed(LEAD, GRANT)]);
    mockActivity(scope, [activity(LEAD, "push"), activity(COPILOT, "branch_creation")]);
    mockPlatformTeam(scope);
    const check = mockCreate(scope);
    const reply = mockReply(scope);

    await h.receive("issue_comment", commentPayload("created", LEAD, GRANT));

    expect(check.body!.conclusion).toBe("failure");
    expect(visibleText(reply.body!.body)).toContain("Refused: @octo-lead took part in this change (pusher), and nobody who did may widen its scope.");
    expect(h.audit().find((r) => r.response === "grant_reply")).toMatchObject({ grantAction: "refused", decision: "deny", severity: "info", refusal: expect.stringContaining("(pusher)") });
  });

  it("answers an assistant's own grant with a refusal, a critical record and no evaluation", async () => {
    const h = await createHarness();
    const scope = mockToken();
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100, since: CREATED }).reply(200, [listed(COPILOT, GRANT)]);
    const reply = mockReply(scope);

    await h.receive("issue_comment", commentPayload("created", COPILOT, GRANT));

    expect(visibleText(reply.body!.body)).toContain("Refused: Only a person can grant scope: @Copilot is an AI assistant.");
    expect(h.audit()).toEqual([expect.objectContaining({ response: "grant_reply", grantAction: "refused", severity: "critical", agents: [{ key: "copilot", declared: true, owner: "@Codertocat/platform" }] })]);
  });

  it("refuses a command from a deleted account (user: null)", async () => {
    const h = await createHarness();
    const scope = mockToken();
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100, since: CREATED }).reply(200, []);
    const reply = mockReply(scope);
    await h.receive("issue_comment", commentPayload("created", null, GRANT));
    expect(visibleText(reply.body!.body)).toContain("no longer has a GitHub account");
  });

  it("answers a look-alike command as not a command, and a redelivery posts no second answer", async () => {
    const lookalike = GRANT.replace("/agent", "/\u0430gent");
    const h = await createHarness();
    const scope = mockToken();
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100, since: CREATED }).reply(200, [listed(LEAD, lookalike)]);
    const reply = mockReply(scope);
    await h.receive("issue_comment", commentPayload("created", LEAD, lookalike));
    expect(visibleText(reply.body!.body)).toContain("plain ASCII");
    expect(nock.pendingMocks()).toEqual([]);

    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304), REPO_PATH);
    scope
      .get(`${REPO_PATH}/issues/2/comments`)
      .query({ per_page: 100, since: CREATED })
      .reply(200, [listed(LEAD, lookalike), listed({ login: "agent-policy[bot]", id: 1, type: "Bot" }, `<!-- agent-policy:grant-reply ${COMMENT_ID} -->\nRefused`, { id: 9901, app: 123 })]);
    await h.receive("issue_comment", commentPayload("created", LEAD, lookalike), "delivery-2");
    expect(h.audit()).toHaveLength(1);
  });

  it("spends no API call on a comment that is not a command, nor on an issue that is not a pull request", async () => {
    const h = await createHarness();
    await h.receive("issue_comment", commentPayload("created", COPILOT, "LGTM, merging soon"));
    const onIssue = commentPayload("created", COPILOT, GRANT);
    delete onIssue.issue.pull_request;
    await h.receive("issue_comment", onIssue);
    expect(h.audit()).toEqual([]);
  });

  it("ignores a grant comment once edited: editing it re-evaluates, and the widened scope does not count", async () => {
    const h = await createHarness();
    const scope = mockReads(infraChange({ comments: 1 }));
    mockListRuns(scope);
    const edited = GRANT.replace("infra/**", "**");
    const later = new Date(NOW.getTime() - 60_000).toISOString();
    pagedReply(scope, `${REPO_PATH}/issues/2/comments`, [listed(LEAD, edited, { updatedAt: later })]);
    const check = mockCreate(scope);
    await h.receive("issue_comment", commentPayload("edited", LEAD, edited, { updated_at: later }).valueOf() as object);
    expect(check.body!.conclusion).toBe("failure");
    expect(visibleText(check.body!.output.summary)).toContain("path-scope");
  });

  it("keeps a grant in force on a later evaluation while it lasts, and reads no comments when the pull request has none", async () => {
    const h = await createHarness();
    const scope = mockReads(infraChange({ comments: 2 }));
    mockListRuns(scope);
    pagedReply(scope, `${REPO_PATH}/issues/2/comments`, [
      listed(LEAD, GRANT),
      listed({ login: "agent-policy[bot]", id: 1, type: "Bot" }, `<!-- agent-policy:grant-reply ${COMMENT_ID} -->\nGranted`, { id: 9901, app: 123 }),
    ]);
    mockActivity(scope, [activity(COPILOT, "branch_creation")]);
    mockPlatformTeam(scope);
    pagedReply(scope, `${REPO_PATH}/issues/2/events`, []);
    const check = mockCreate(scope);
    const payload = examplePayload("pull_request", "opened");
    payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
    payload.sender = { ...payload.sender, ...COPILOT };
    await h.receive("pull_request", payload);
    expect(check.body!.conclusion).toBe("success");
    expect(nock.pendingMocks()).toEqual([]);

    const none = mockReads(infraChange({ token: false, ifNoneMatch: '"p1"' }));
    mockListRuns(none);
    const red = mockCreate(none);
    await h.receive("pull_request", payload, "delivery-2");
    expect(red.body!.conclusion).toBe("failure");
  });
});
