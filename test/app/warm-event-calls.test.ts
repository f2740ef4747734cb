import nock from "nock";
import { describe, expect, it } from "vitest";
import { ABSENT_TTL_MS, PolicyCache } from "../../src/github/load-policy.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, HUMAN, pullResponse } from "../fixtures/github.js";
import { CommitRecordMemory } from "../../src/app/commit-record-memory.js";
import { inert } from "../../src/report/inert.js";
import { AFTER as PUSH_AFTER, BEFORE as PUSH_BEFORE, HUMAN_PUSHER, HUMAN_SENDER, payloadCommit, pushPayload } from "./push-mocks.js";
import { CheckRuns } from "./check-runs.js";
import { API, createHarness, expectEveryMockUsed, policyContent, REPO_PATH } from "./harness.js";
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

/** Copilot's push of `sha` on top of `before`. */
function pushOf(sha: string, before: string) {
  const payload = pushEvent();
  payload.before = before;
  payload.after = sha;
  payload.pull_request.head.sha = sha;
  return payload;
}

describe("what a warm push remembers: a missing org baseline, and the records the app posted", () => {
  expectEveryMockUsed();

  it("asks for a missing org baseline once, then again when the bound ends, and finds the baseline added meanwhile", async () => {
    let now = Date.parse("2026-11-27T12:00:00Z");
    const h = await createHarness({ app: { policyCache: new PolicyCache({ now: () => now }) } });
    const runs = new CheckRuns();
    const first = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(first, HEAD);
    runs.list(first, BEFORE);
    mockPullsOfCommit(first, HEAD, [2]);
    runs.create(first);
    await h.receive("pull_request", pushOf(HEAD, BEFORE), "d-1");

    // The 404 is remembered: the next push reads the policy (304) and not the baseline.
    const second = mockReads({ token: false, ifNoneMatch: '"p1"', baseline: null, files: [fileEntry("src/app.ts")], commits: [commit(NEXT, [HEAD])], pullReads: 0 });
    runs.list(second, NEXT);
    runs.list(second, HEAD);
    mockPullsOfCommit(second, NEXT, [2]);
    runs.create(second);
    await h.receive("pull_request", pushOf(NEXT, HEAD), "d-2");
    expect(runs.verdict(NEXT).conclusion).toBe("success");

    // Past the bound the baseline is asked for again; the organisation added one that confines copilot to docs/.
    now += ABSENT_TTL_MS;
    const THIRD = "5555555555555555555555555555555555555555";
    const floor = "version: 1\nagents:\n  copilot:\n    owner: \"@Codertocat/platform\"\n    match: { ids: [198982749] }\n    paths: { allow: [\"docs/**\"] }\n";
    const third = mockReads({ token: false, ifNoneMatch: '"p1"', baseline: { status: 200, body: policyContent(floor, "b".repeat(40)), etag: '"b1"' }, files: [fileEntry("src/app.ts")], commits: [commit(THIRD, [NEXT])], pullReads: 0 });
    runs.list(third, THIRD);
    runs.list(third, NEXT);
    mockPullsOfCommit(third, THIRD, [2]);
    runs.create(third);
    await h.receive("pull_request", pushOf(THIRD, NEXT), "d-3");
    expect(runs.verdict(THIRD).conclusion).toBe("failure");
    expect(runs.verdict(THIRD).output.summary).toContain("path-scope");
  });

  it("forgets a missing org baseline when a push to the .github repository may have added it", async () => {
    const h = await createHarness({ app: { policyCache: new PolicyCache() } });
    const runs = new CheckRuns();
    const first = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(first, HEAD);
    runs.list(first, BEFORE);
    mockPullsOfCommit(first, HEAD, [2]);
    runs.create(first);
    await h.receive("pull_request", pushOf(HEAD, BEFORE), "d-1");

    // A push to Codertocat/.github changing its .agent-policy.yml; the installation holds no other repository to re-evaluate.
    const scope = nock(API);
    const dotGithub = "/repos/Codertocat/.github";
    const floor = "version: 1\nagents:\n  copilot:\n    owner: \"@Codertocat/platform\"\n    match: { ids: [198982749] }\n    paths: { allow: [\"docs/**\"] }\n";
    scope.get(`${dotGithub}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(floor, "b".repeat(40)), { etag: '"b1"' });
    scope.get(`${dotGithub}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"b1"').reply(304);
    const pushed = commitEntry(PUSH_AFTER, "Add a floor", { account: HUMAN_SENDER, name: "Octo Dev", email: "dev@example.com" });
    scope.get(`${dotGithub}/compare/${PUSH_BEFORE}...${PUSH_AFTER}`).query({ per_page: 100, page: 1 }).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [pushed], files: [] });
    scope.get(`${dotGithub}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: 100 }).reply(200, []);
    scope.get("/installation/repositories").query({ per_page: 100 }).reply(200, { total_count: 1, repositories: [{ name: ".github", owner: { login: "Codertocat" }, default_branch: "master", archived: false }] });
    const added = { ...payloadCommit(PUSH_AFTER, "Add a floor", { name: "Octo Dev", email: "dev@example.com", username: "octo-dev" }), added: [".agent-policy.yml"], removed: [], modified: [] };
    const push = pushPayload({ ref: "refs/heads/master", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [added] });
    push.repository = { ...push.repository, name: ".github", full_name: "Codertocat/.github" };
    await h.receive("push", push, "d-push");

    // The next push to the pull request asks for the baseline again, and is judged under it.
    const next = mockReads({ token: false, ifNoneMatch: '"p1"', baseline: { status: 200, body: policyContent(floor, "b".repeat(40)), etag: '"b1"' }, files: [fileEntry("src/app.ts")], commits: [commit(NEXT, [HEAD])], pullReads: 0 });
    runs.list(next, NEXT);
    runs.list(next, HEAD);
    mockPullsOfCommit(next, NEXT, [2]);
    runs.create(next);
    await h.receive("pull_request", pushOf(NEXT, HEAD), "d-2");
    expect(runs.verdict(NEXT).conclusion).toBe("failure");
    expect(runs.verdict(NEXT).output.summary).toContain("path-scope");
  });
});

describe("the records the app posted, remembered by a single instance", () => {
  expectEveryMockUsed();

  /** A person's pull request from `feature/x`: Copilot pushing to it is on record only as the push's sender. */
  function humanPush(sha: string, before: string, sender: object) {
    const payload = pushOf(sha, before);
    payload.pull_request.user = { ...payload.pull_request.user, ...HUMAN };
    payload.pull_request.head.ref = "feature/x";
    payload.sender = { ...payload.sender, ...sender };
    return payload;
  }
  const humanCommit = (sha: string, parents: string[]) => ({ ...commitEntry(sha, "Hand-written", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" }), parents: parents.map((p) => ({ sha: p })) });
  const humanReads = (sha: string, parents: string[], token = false) =>
    mockReads({ token, ...(token ? {} : { ifNoneMatch: '"p1"' }), user: HUMAN, headRef: "feature/x", files: [fileEntry("src/app.ts")], commits: [humanCommit(sha, parents)], pullReads: 0 });

  it("carries who acted on the previous head from the record it posted there, without listing that commit's runs", async () => {
    const h = await createHarness({ app: { commitRecords: new CommitRecordMemory() } });
    const runs = new CheckRuns();
    // Copilot pushes HEAD to a person's branch: denied (branch scope), and on the record of HEAD as the push's sender.
    const first = humanReads(HEAD, [BEFORE], true);
    runs.list(first, HEAD);
    runs.list(first, BEFORE);
    mockPullsOfCommit(first, HEAD, [2]);
    runs.create(first);
    await h.receive("pull_request", humanPush(HEAD, BEFORE, COPILOT), "d-1");
    expect(runs.verdict(HEAD).conclusion).toBe("failure");

    // The person pushes NEXT on top: HEAD's record is the one the app posted, so HEAD's runs are not listed; Copilot carries over.
    const second = humanReads(NEXT, [HEAD]);
    runs.list(second, NEXT);
    mockPullsOfCommit(second, NEXT, [2]);
    runs.create(second);
    await h.receive("pull_request", humanPush(NEXT, HEAD, HUMAN), "d-2");
    expect(runs.verdict(NEXT)).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot" } });
    expect(runs.verdict(NEXT).output.summary).toContain(inert("on record for this commit as event sender Copilot (id 198982749)"));
  });

  it("recognises a redelivery from the run it remembers posting: no second write, no listing of the runs", async () => {
    const h = await createHarness({ app: { commitRecords: new CommitRecordMemory() } });
    const runs = new CheckRuns();
    const first = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(first, HEAD);
    runs.list(first, BEFORE);
    mockPullsOfCommit(first, HEAD, [2]);
    runs.create(first);
    await h.receive("pull_request", pushEvent(), "d-1");
    const second = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/app.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(second, BEFORE); // the previous head: the app posted nothing there
    mockPullsOfCommit(second, HEAD, [2]);
    await h.receive("pull_request", pushEvent(), "d-1");
    expect(runs.runs).toHaveLength(1);
    expect(h.audit().map((a) => a.checkRunId)).toEqual([runs.runs[0]!.id, runs.runs[0]!.id]);
  });

  it("forgets a commit whose check could not be posted, and reads its runs again", async () => {
    const h = await createHarness({ app: { commitRecords: new CommitRecordMemory() } });
    const runs = new CheckRuns();
    const first = mockReads({ files: [fileEntry("src/app.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(first, HEAD);
    runs.list(first, BEFORE);
    mockPullsOfCommit(first, HEAD, [2]);
    runs.create(first);
    await h.receive("pull_request", pushEvent(), "d-1");

    // A change of what is judged (a denied file), and GitHub fails the write: whether the run was created is unknown.
    const failing = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/auth/token.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(failing, BEFORE);
    mockPullsOfCommit(failing, HEAD, [2]);
    failing.post(`${REPO_PATH}/check-runs`).reply(502, { message: "Bad Gateway" });
    await expect(h.receive("pull_request", pushEvent(), "d-2")).rejects.toThrow(/HTTP 502/);

    const again = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/auth/token.ts")], commits: [commit(HEAD, [BEFORE])], pullReads: 0 });
    runs.list(again, HEAD);
    runs.list(again, BEFORE);
    mockPullsOfCommit(again, HEAD, [2]);
    runs.create(again);
    await h.receive("pull_request", pushEvent(), "d-3");
    expect(runs.runs).toHaveLength(2);
  });
});
