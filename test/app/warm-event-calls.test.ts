import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, pullResponse } from "../fixtures/github.js";
import { CheckRuns } from "./check-runs.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockPullsOfCommit, mockReads, pagedReply } from "./mocks.js";

const BEFORE = "2222222222222222222222222222222222222222";
const NEXT = "4444444444444444444444444444444444444444";

const commit = (sha: string, parents: string[] = []) => ({
  ...commitEntry(sha, `Change ${sha.slice(0, 4)}`, { account: COPILOT, ...COPILOT_COMMITTER }),
  parents: parents.map((p) => ({ sha: p })),
});

/** Copilot's push of `HEAD` onto its pull request #2, as GitHub sends it. */
function pushEvent() {
  const payload = examplePayload("pull_request", "synchronize");
  payload.before = BEFORE;
  payload.after = HEAD;
  payload.pull_request.head.sha = HEAD;
  payload.pull_request.head.ref = "copilot/fix";
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.pull_request.requested_reviewers = [];
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

describe("a push to an agent's pull request: what it reads, and what it still refuses", () => {
  expectEveryMockUsed();

  it("reads neither the pull request (the event carries it) nor it again before posting (the commit's open pull requests list it with this head)", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    // The mocks are the calls: the policy and baseline, files, commits, the records of both heads, the commit's pull requests, one write.
    const scope = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(BEFORE), commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(scope, HEAD);
    runs.list(scope, BEFORE);
    mockPullsOfCommit(scope, HEAD, [2]);
    runs.create(scope);
    await h.receive("pull_request", pushEvent());
    expect(runs.runs).toHaveLength(1);
    expect(runs.verdict(HEAD)).toMatchObject({ conclusion: "success", output: { title: "Compliant: copilot stayed within policy" } });
  });

  it.each([
    ["a later push is listed after it", [commit(HEAD), commit(NEXT, [HEAD])]],
    ["a later push is listed before it (its commit dated earlier)", [commit(NEXT, [HEAD]), commit(HEAD)]],
    ["a force push replaced it", [commit(NEXT)]],
  ])("a late event whose head is no longer the pull request's (%s): reads the pull request, judges its head, and says nothing of the old one", async (_, listed) => {
    const h = await createHarness();
    const runs = new CheckRuns();
    // The commits listed do not end at the payload's head: the pull request is read, and its head moved on.
    const scope = mockReads({ files: [fileEntry("src/auth/token.ts")], commits: listed, pullReads: 0 });
    runs.list(scope, HEAD);
    runs.list(scope, BEFORE);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, pullResponse({ number: 2, headSha: NEXT, headRef: "copilot/fix", user: COPILOT, changedFiles: 1, commits: listed.length }));
    // The current head is judged from its own listings, under its own lock.
    pagedReply(scope, `${REPO_PATH}/pulls/2/files`, [fileEntry("src/auth/token.ts")]);
    pagedReply(scope, `${REPO_PATH}/pulls/2/commits`, listed);
    runs.list(scope, NEXT);
    mockPullsOfCommit(scope, NEXT, [2]);
    runs.create(scope);
    await h.receive("pull_request", pushEvent());
    expect(runs.on(HEAD)).toEqual([]);
    const run = runs.verdict(NEXT);
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).not.toMatch(/Superseded/);
  });

  it("reads the pull request before posting when the commit's open pull requests do not list it, and marks a pull request closed meanwhile as superseded", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD)], pullReads: 0 });
    runs.list(scope, HEAD);
    runs.list(scope, BEFORE);
    mockPullsOfCommit(scope, HEAD, []);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, { ...pullResponse({ number: 2, headSha: HEAD, headRef: "copilot/fix", user: COPILOT, changedFiles: 1, commits: 1 }), state: "closed" });
    runs.create(scope);
    await h.receive("pull_request", pushEvent());
    expect(runs.verdict(HEAD).output.title).toBe("Superseded: Compliant: copilot stayed within policy");
    expect(h.logs.find((l) => l.audit)).toMatchObject({ supersededBy: "closed (head ec26c3e)" });
  });

  it("takes a pull request that the commit's listing has not caught up with as current once it reads it open with this head", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD)], pullReads: 0 });
    runs.list(scope, HEAD);
    runs.list(scope, BEFORE);
    mockPullsOfCommit(scope, HEAD, []);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, pullResponse({ number: 2, headSha: HEAD, headRef: "copilot/fix", user: COPILOT, changedFiles: 1, commits: 1 }));
    runs.create(scope);
    await h.receive("pull_request", pushEvent());
    expect(runs.verdict(HEAD)).toMatchObject({ conclusion: "success", output: { title: "Compliant: copilot stayed within policy" } });
  });

  it("holds the verdict back for another open pull request the same listing names with this head", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD)], pullReads: 0 });
    runs.list(scope, HEAD);
    runs.list(scope, BEFORE);
    mockPullsOfCommit(scope, HEAD, [2, 3]);
    runs.create(scope);
    await h.receive("pull_request", pushEvent());
    expect(runs.verdict(HEAD)).toMatchObject({ conclusion: "action_required", output: { title: "Pending: pull request #3 with this head has not been judged yet" } });
  });

  it("reads the pull request when the event's copy lacks what judging it needs", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const payload = pushEvent();
    delete payload.pull_request.changed_files;
    const scope = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD)] });
    runs.list(scope, HEAD);
    runs.list(scope, BEFORE);
    mockPullsOfCommit(scope, HEAD, [2]);
    runs.create(scope);
    await h.receive("pull_request", payload);
    expect(runs.verdict(HEAD).conclusion).toBe("success");
  });
});
