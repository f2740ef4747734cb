import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { API, createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { activity, HEAD, mockActivity, mockCreate, mockListRuns, mockReads, pagedReply, POLICY, type Scenario } from "./mocks.js";

const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const SEC = { login: "octo-sec", id: 7003, type: "User" };
const TWO_APPROVERS = POLICY.replace('approvers: { users: ["octo-lead"] }', 'approvers: { users: ["octo-lead", "octo-sec"] }');

function bump(message = "Bump dependencies", extra: Partial<Scenario> = {}): Scenario {
  return { files: [fileEntry("package.json")], commits: [commitEntry(HEAD, message, { account: COPILOT, ...COPILOT_COMMITTER })], ...extra };
}

let reviewId = 900;
const approval = (user: object) => ({ id: reviewId++, user, state: "APPROVED", commit_id: HEAD, submitted_at: "2026-11-27T11:00:00Z", body: "" });

function approvedBy(user: object) {
  const payload = examplePayload("pull_request_review", "submitted");
  payload.review = { ...payload.review, user, state: "approved", commit_id: HEAD };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

/** GitHub's own attribution of the head commit: its authors (git author first, then co-authors) with the accounts their e-mails belong to. */
function mockCommitAuthors(scope: nock.Scope, authors: { email: string; user: object | null }[]) {
  const seen: { body?: any } = {};
  scope
    .post("/graphql", (body) => ((seen.body = body), body.variables?.c0 === HEAD))
    .reply(200, { data: { repository: { c0: { authors: { nodes: authors }, committer: { email: COPILOT_COMMITTER.email, user: { login: "Copilot", databaseId: 198982749 } } } } } });
  return seen;
}

async function evaluateReview(s: Scenario, reviews: object[], reviewer: object, extra: (scope: nock.Scope) => void, reread = true) {
  const h = await createHarness();
  const scope = mockReads(s);
  pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
  extra(scope);
  // Read again right before the verdict is posted (not after an evaluation that failed).
  if (reread) pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
  mockListRuns(scope);
  const posted = mockCreate(scope);
  await h.receive("pull_request_review", approvedBy(reviewer));
  return { body: posted.body!, audit: h.audit() };
}

describe("separation of duties: whoever pushed or co-authored the change cannot approve it", () => {
  expectEveryMockUsed();

  it("does not count the approval of someone who pushed to the pull request's branch", async () => {
    const { body } = await evaluateReview(bump(), [approval(LEAD)], LEAD, (scope) =>
      mockActivity(scope, [activity(LEAD, "push"), activity(COPILOT, "branch_creation")]),
    );
    expect(body.conclusion).toBe("action_required");
    expect(visibleText(body.output.summary)).toContain("dependencies: not counted: @octo-lead (pusher).");
  });

  it("ignores pushes to an earlier branch of the same name, before this one was created", async () => {
    const { body } = await evaluateReview(bump(), [approval(LEAD)], LEAD, (scope) =>
      mockActivity(scope, [activity(COPILOT, "branch_creation"), activity(LEAD, "push"), activity(LEAD, "branch_deletion")]),
    );
    expect(body.conclusion).toBe("success");
  });

  it("does not count the approval of the account GitHub links to a co-author's plain e-mail", async () => {
    let asked: { body?: any } = {};
    const { body } = await evaluateReview(bump("Bump dependencies\n\nCo-authored-by: Lead <lead@example.com>"), [approval(LEAD)], LEAD, (scope) => {
      mockActivity(scope, [activity(COPILOT, "branch_creation")]);
      asked = mockCommitAuthors(scope, [
        { email: COPILOT_COMMITTER.email, user: { login: "Copilot", databaseId: 198982749 } },
        { email: "lead@example.com", user: { login: "octo-lead", databaseId: 7001 } },
      ]);
    });
    expect(body.conclusion).toBe("action_required");
    expect(visibleText(body.output.summary)).toContain("dependencies: not counted: @octo-lead (co-author).");
    expect(asked.body.variables).toEqual({ owner: "Codertocat", name: "Hello-World", c0: HEAD });
  });

  it("needs one more approval for a co-author whose e-mail no account is linked to, and says so", async () => {
    const message = "Bump dependencies\n\nCo-authored-by: Somebody <somebody@example.com>";
    const unlinked = (scope: nock.Scope) => {
      mockActivity(scope, [activity(COPILOT, "branch_creation")]);
      mockCommitAuthors(scope, [{ email: "somebody@example.com", user: null }]);
    };
    const one = await evaluateReview(bump(message, { policy: TWO_APPROVERS, requestedReviewers: ["octo-sec"] }), [approval(LEAD)], LEAD, unlinked);
    expect(one.body.conclusion).toBe("action_required");
    const shown = visibleText(one.body.output.summary);
    expect(shown).toContain("\ndependencies\n@octo-lead, @octo-sec\n@octo-lead\n1 of 2\npackage.json\n");
    expect(shown).toContain(
      "Not resolved to a GitHub account, so each could be one of the approvers and adds one required approval to every step-up: co-author Somebody <somebody@example.com> (no GitHub account is linked to this e-mail).",
    );
    expect(nock.pendingMocks()).toEqual([]);
    const two = await evaluateReview(bump(message, { policy: TWO_APPROVERS }), [approval(LEAD), approval(SEC)], SEC, unlinked);
    expect(two.body.conclusion).toBe("success");
  });

  it("needs one more approval when the pushers of a fork's branch cannot be read", async () => {
    const { body } = await evaluateReview(bump("Bump dependencies", { headRepo: { owner: "someone", repo: "Hello-World" } }), [approval(LEAD)], LEAD, (scope) => {
      scope.get("/repos/someone/Hello-World/activity").query({ ref: "refs/heads/copilot/fix", per_page: 100 }).reply(404, { message: "Not Found" });
    });
    expect(body.conclusion).toBe("action_required");
    expect(visibleText(body.output.summary)).toContain("who pushed to someone/Hello-World:copilot/fix (its activity is not found or not visible to the app, HTTP 404)");
  });

  it("reads at most three pages of a branch's activity, and counts what lies beyond as unresolved", async () => {
    const page = (n: number) => Array.from({ length: 100 }, (_, i) => ({ ...activity(COPILOT, "push"), id: n * 100 + i }));
    const { body } = await evaluateReview(bump(), [approval(LEAD)], LEAD, (scope) => {
      const path = `${REPO_PATH}/activity`;
      const next = (cursor: string) => ({ link: `<${API}${path}?ref=refs%2Fheads%2Fcopilot%2Ffix&per_page=100&after=${cursor}>; rel="next"` });
      scope.get(path).query({ ref: "refs/heads/copilot/fix", per_page: 100 }).reply(200, page(0), next("c1"));
      scope.get(path).query({ ref: "refs/heads/copilot/fix", per_page: 100, after: "c1" }).reply(200, page(1), next("c2"));
      scope.get(path).query({ ref: "refs/heads/copilot/fix", per_page: 100, after: "c2" }).reply(200, page(2), next("c3"));
    });
    expect(body.conclusion).toBe("action_required");
    expect(visibleText(body.output.summary)).toContain("who pushed to Codertocat/Hello-World:copilot/fix before its newest 300 pushes");
  });

  it("fails closed when GitHub cannot list who pushed", async () => {
    const { body, audit } = await evaluateReview(
      bump("Bump dependencies", { pullReads: 1 }),
      [approval(LEAD)],
      LEAD,
      (scope) => {
        scope.get(`${REPO_PATH}/activity`).query({ ref: "refs/heads/copilot/fix", per_page: 100 }).reply(502, { message: "Server Error" });
      },
      false,
    );
    expect(body.conclusion).toBe("failure");
    expect(visibleText(body.output.summary)).toContain("GitHub API failure while trying to list the pushes to Codertocat/Hello-World:copilot/fix (HTTP 502)");
    expect(audit[0]).toMatchObject({ decision: "error" });
  });
});
