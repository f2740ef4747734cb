import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { API, createHarness, REPO_PATH, expectEveryMockUsed } from "./harness.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads, pagedReply } from "./mocks.js";

const LEAD = { login: "octo-lead", id: 7001, type: "User" };

describe("check_suite.rerequested (Re-run all checks)", () => {
  expectEveryMockUsed();

  it("evaluates every pull request of the suite again, so an approval given since turns the check green", async () => {
    const h = await createHarness();
    const payload = examplePayload("check_suite", "rerequested");
    payload.installation = { id: 1 };
    expect(payload.check_suite.head_sha).toBe(HEAD);
    expect(payload.check_suite.pull_requests.map((p: { number: number }) => p.number)).toEqual([2]);
    const scope = mockReads({ files: [fileEntry("package.json")], commits: [commitEntry(HEAD, "Bump", { account: COPILOT, ...COPILOT_COMMITTER })] });
    const reviews = [{ id: 1, user: LEAD, state: "APPROVED", commit_id: HEAD, submitted_at: "2026-11-27T11:00:00Z" }];
    mockApprovalReads(scope, reviews);
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("check_suite", payload);
    expect(posted.body!.conclusion).toBe("success");
    expect(h.audit()).toEqual([expect.objectContaining({ event: "check_suite", action: "rerequested", pullRequest: 2, decision: "allow" })]);
  });

  it("asks GitHub which open pull requests hold the commit when the suite lists none (pull requests from forks)", async () => {
    const h = await createHarness();
    const payload = examplePayload("check_suite", "rerequested");
    payload.installation = { id: 1 };
    payload.check_suite.pull_requests = [];
    const scope = mockReads({ files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
    nock(API)
      .get(`${REPO_PATH}/commits/${HEAD}/pulls`)
      .reply(200, [
        { number: 2, state: "open" },
        { number: 1, state: "closed" },
      ]);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("check_suite", payload);
    expect(posted.body!.conclusion).toBe("success");
    expect(h.audit().map((a) => a.pullRequest)).toEqual([2]);
  });
});
