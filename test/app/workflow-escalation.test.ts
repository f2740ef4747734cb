import type nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, HUMAN } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads } from "./mocks.js";
import { AFTER, BEFORE, mockOpenPulls, mockPolicy, mockRunsAt, pushPayload } from "./push-mocks.js";
import { mockFile } from "./workflow-mocks.js";

const CI = ".github/workflows/ci.yml";
/** The base commit `pullResponse` gives and the merge base GitHub reports for it. */
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const MERGE_BASE = "4b".repeat(20);
const POLICY = `version: 1
agents:
  copilot:
    owner: "@octo-lead"
    match: { ids: [198982749] }
    paths: { allow: [".github/**", "src/**"] }
`;

const BEFORE_CI = `name: CI
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm test
`;
/** An agent's edit that looks like a CI tweak: a new trigger, write-all, and a job on the organisation's own runner. */
const ESCALATED_CI = `name: CI
on: [push, pull_request, pull_request_target]
permissions: write-all
jobs:
  test:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
      - run: npm test
`;

function prEvent(user: object) {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...user };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

function mockMergeBase(scope: nock.Scope, reply: { status: number } | string = MERGE_BASE) {
  const interceptor = scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 });
  if (typeof reply === "string") interceptor.reply(200, { merge_base_commit: { sha: reply }, commits: [], files: [] });
  else interceptor.reply(reply.status, { message: "Server Error" });
}

/** One PR evaluation of a change to ci.yml by `user`, with both versions of the file as given. */
function mockPullRequest(user: typeof COPILOT, head: string | { status: number }, options: { mergeBase?: { status: number }; reviews?: boolean } = {}) {
  const author = user === COPILOT ? { account: COPILOT, ...COPILOT_COMMITTER } : { account: HUMAN, name: "Octo Dev", email: "dev@example.com" };
  const scope = mockReads({ policy: POLICY, user, headRef: "copilot/ci", files: [fileEntry(CI)], commits: [commitEntry(HEAD, "Tune CI", author)] });
  if (options.mergeBase) {
    mockMergeBase(scope, options.mergeBase);
  } else {
    mockMergeBase(scope);
    mockFile(scope, REPO_PATH, CI, MERGE_BASE, BEFORE_CI);
  }
  mockFile(scope, REPO_PATH, CI, HEAD, head);
  if (options.reviews) mockApprovalReads(scope, [], [], "copilot/ci");
  mockListRuns(scope);
  return mockCreate(scope);
}

const escalations = (annotations: any[]) =>
  annotations.filter((a) => a.title === "workflow-escalation (deny)").map((a) => [a.path, a.start_line, visibleText(a.message).split("\n")[0]!.replace(/^.*which now /, "")]);

describe("workflow-escalation: a changed workflow judged for what it may now do", () => {
  expectEveryMockUsed();

  it("denies an agent's pull request that widens a workflow, with an annotation at each escalation's line", async () => {
    const h = await createHarness();
    const posted = mockPullRequest(COPILOT, ESCALATED_CI, { reviews: true });
    await h.receive("pull_request", prEvent(COPILOT));
    expect(posted.body).toMatchObject({ conclusion: "failure", head_sha: HEAD });
    expect(escalations(posted.body!.output.annotations)).toEqual([
      [CI, 2, "adds the pull_request_target trigger, which runs with the repository's secrets on events others cause (line 2)."],
      [CI, 3, "gives the workflow's jobs permissions: write-all (line 3)."],
      [CI, 6, "runs job test on self-hosted, which is not a GitHub-hosted runner (line 6)."],
      [CI, 6, "runs job test on linux, which is not a GitHub-hosted runner (line 6)."],
    ]);
    expect(h.audit()[0]).toMatchObject({ decision: "deny", conclusion: "failure", ruleIds: ["governance-file", "workflow-escalation"] });
  });

  it("gives a person's pull request with the same change no such finding", async () => {
    const h = await createHarness();
    const posted = mockPullRequest(HUMAN, ESCALATED_CI);
    await h.receive("pull_request", prEvent(HUMAN));
    expect(posted.body).toMatchObject({ conclusion: "success", output: { title: "Compliant: no AI assistant activity" } });
    expect(h.audit()[0].ruleIds).toEqual([]);
  });

  it("fails closed with a finding when the new version cannot be read", async () => {
    const h = await createHarness();
    const posted = mockPullRequest(COPILOT, { status: 502 }, { reviews: true });
    await h.receive("pull_request", prEvent(COPILOT));
    expect(posted.body).toMatchObject({ conclusion: "failure" });
    const [annotation] = posted.body!.output.annotations.filter((a: any) => a.title === "workflow-escalation (deny)");
    expect(visibleText(annotation.message)).toContain(`could not be read to check it for privilege escalation: GitHub API failure while trying to read ${CI} at ec26c3e (HTTP 502)`);
  });

  it("fails closed when the merge base to compare with cannot be found", async () => {
    const h = await createHarness();
    const posted = mockPullRequest(COPILOT, BEFORE_CI, { mergeBase: { status: 500 }, reviews: true });
    await h.receive("pull_request", prEvent(COPILOT));
    expect(posted.body).toMatchObject({ conclusion: "failure" });
    const [annotation] = posted.body!.output.annotations.filter((a: any) => a.title === "workflow-escalation (deny)");
    expect(visibleText(annotation.message)).toContain("could not be compared with its earlier version");
    expect(visibleText(annotation.message)).toContain("find the merge base");
  });

  it("judges an agent's push the same way, against the compare API's merge base", async () => {
    const h = await createHarness();
    const scope = mockPolicy(POLICY);
    mockOpenPulls(scope, "copilot/fix");
    scope
      .get(`${REPO_PATH}/compare/${BEFORE}...${AFTER}`)
      .query({ per_page: 100, page: 1 })
      .reply(200, {
        total_commits: 1,
        merge_base_commit: { sha: BEFORE },
        commits: [commitEntry(AFTER, "Tune CI", { account: COPILOT, ...COPILOT_COMMITTER })],
        files: [fileEntry(CI)],
      });
    mockFile(scope, REPO_PATH, CI, BEFORE, BEFORE_CI);
    mockFile(scope, REPO_PATH, CI, AFTER, BEFORE_CI.replace("  contents: read", "  contents: read\n  id-token: write"));
    mockRunsAt(scope, AFTER);
    const posted = mockCreate(scope);
    await h.receive("push", pushPayload());
    expect(posted.body).toMatchObject({ conclusion: "failure", head_sha: AFTER });
    expect(escalations(posted.body!.output.annotations)).toEqual([
      [CI, 5, "gives the workflow's jobs id-token: write, which can mint cloud credentials (OIDC) (line 5)."],
    ]);
  });
});
