import type nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { mockFile } from "./workflow-mocks.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads, pagedReply, type Scenario } from "./mocks.js";

const CI = ".github/workflows/ci.yml";
const CI_TEXT = "name: CI\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
/** The base commit `pullResponse` gives, and the merge base GitHub reports for it. */
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const MERGE_BASE = "4b".repeat(20);
const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const ALICE = { login: "alice", id: 7002, type: "User" };
const SECURITY = { login: "sec-sam", id: 7003, type: "User" };

/** Copilot (owner @octo-lead) and a trailer-matched local Claude (owner @alice), both free to change any path. */
const POLICY = `version: 1
agents:
  copilot:
    owner: "@octo-lead"
    match: { ids: [198982749] }
    paths: { allow: ["**"] }
  claude-local:
    owner: "@alice"
    match: { trailers: ["Co-authored-by: Claude*"] }
    paths: { allow: ["**"] }
`;
const RULE_POLICY = `${POLICY}step_up:
  - name: workflows
    when: { paths: [".github/workflows/**"] }
    approvers: { teams: ["Codertocat/security"] }
`;

function workflowChange(policy: string, message: string): Scenario {
  return { policy, files: [fileEntry(".github/workflows/ci.yml")], commits: [commitEntry(HEAD, message, { account: COPILOT, ...COPILOT_COMMITTER })] };
}

/** What a step-up on the unchanged-in-substance ci.yml reads: both versions (for workflow-escalation), reviews and pushers, and the reviews again before posting. */
function mockStepUpReads(scope: nock.Scope, reviews: object[]) {
  scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE }, commits: [], files: [] });
  mockFile(scope, REPO_PATH, CI, MERGE_BASE, CI_TEXT);
  mockFile(scope, REPO_PATH, CI, HEAD, CI_TEXT);
  mockApprovalReads(scope, reviews);
  pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
}

function approvedBy(user: object) {
  const payload = examplePayload("pull_request_review", "submitted");
  payload.review = { ...payload.review, user, state: "approved", commit_id: HEAD };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

function review(user: object) {
  return { id: 500, user, state: "APPROVED", commit_id: HEAD, submitted_at: "2026-11-27T11:00:00Z", body: "" };
}

describe("a step-up an agent owes cannot be approved by an approver it picked", () => {
  expectEveryMockUsed();

  it("keeps Copilot's workflow change pending when only the owner of the agent its trailer pulled in approves", async () => {
    const h = await createHarness();
    const scope = mockReads(workflowChange(POLICY, "Update CI\n\nCo-authored-by: Claude <claude@example.com>"));
    mockStepUpReads(scope, [review(ALICE)]);
    const asked: { body?: unknown } = {};
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((asked.body = b), true)).reply(201, {});
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request_review", approvedBy(ALICE));

    expect(posted.body!.conclusion).toBe("action_required");
    const shown = visibleText(posted.body!.output.summary);
    expect(shown).toContain("\ngovernance-files (claude-local)\n@alice\n@alice\nsatisfied\n.github/workflows/ci.yml\n");
    expect(shown).toContain("\ngovernance-files (copilot)\n@octo-lead\nnobody yet\n1 of 1\n.github/workflows/ci.yml\n");
    expect(asked.body).toEqual({ reviewers: ["octo-lead"], team_reviewers: [] });
    expect(h.audit()[0]).toMatchObject({
      decision: "step_up",
      approvals: [
        { stepUp: "governance-files (claude-local)", approvedBy: ["alice"], satisfied: true },
        { stepUp: "governance-files (copilot)", approvedBy: [], satisfied: false },
      ],
    });
  });

  it("passes once Copilot's own owner approves as well", async () => {
    const h = await createHarness();
    const scope = mockReads(workflowChange(POLICY, "Update CI\n\nCo-authored-by: Claude <claude@example.com>"));
    mockStepUpReads(scope, [review(ALICE), { ...review(LEAD), id: 501 }]);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request_review", approvedBy(LEAD));
    expect(posted.body!.conclusion).toBe("success");
    expect(posted.body!.output.title).toBe("Approved: step-up review satisfied for claude-local, copilot");
  });

  it("lets a maintainer's step_up rule covering workflows replace the owner: the security team's approval alone passes", async () => {
    const h = await createHarness();
    const scope = mockReads(workflowChange(RULE_POLICY, "Update CI"));
    mockStepUpReads(scope, [review(SECURITY)]);
    pagedReply(scope, "/orgs/codertocat/teams/security/members", [SECURITY]);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request_review", approvedBy(SECURITY));
    expect(posted.body!.conclusion).toBe("success");
    expect(visibleText(posted.body!.output.summary)).toContain("\nworkflows\n@Codertocat/security\n@sec-sam\nsatisfied\n.github/workflows/ci.yml\n");
    expect(posted.body!.output.summary).not.toContain("governance-files");
    expect(h.audit()[0]).toMatchObject({ decision: "allow", ruleIds: ["step-up"] });
  });

  it("under such a rule, the agent's owner cannot approve the covered workflow instead", async () => {
    const h = await createHarness();
    const scope = mockReads(workflowChange(RULE_POLICY, "Update CI\n\nCo-authored-by: Claude <claude@example.com>"));
    mockStepUpReads(scope, [review(LEAD)]);
    pagedReply(scope, "/orgs/codertocat/teams/security/members", [SECURITY]);
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: [], team_reviewers: ["security"] }).reply(201, {});
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request_review", approvedBy(LEAD));
    expect(posted.body!.conclusion).toBe("action_required");
    expect(visibleText(posted.body!.output.summary)).toContain("workflows: not counted: @octo-lead (not an approver).");
  });
});
