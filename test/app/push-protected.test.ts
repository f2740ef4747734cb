import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, DEVIN } from "../fixtures/github.js";
import { createHarness, REPO_PATH, expectEveryMockUsed } from "./harness.js";
import { mockNewIncident } from "./incident-mocks.js";
import {
  AFTER,
  BEFORE,
  COPILOT_PUSHER,
  createdByGitHub,
  HUMAN_PUSHER,
  HUMAN_SENDER,
  mergedPull,
  mockCommitPulls,
  mockCompare,
  mockMergedPullRead,
  mockPolicy,
  payloadCommit,
  pushPayload,
  ZERO,
} from "./push-mocks.js";

const MASTER = "refs/heads/master";
const HUMAN_GIT = { name: "Octo Dev", email: "dev@example.com" };
const TRAILER = "Refactor parser\n\nCo-authored-by: Claude <noreply@anthropic.com>";
const PR_HEAD = "3".repeat(40);
const humanCommit = (sha: string, message = "Hand-written change") => commitEntry(sha, message, { account: HUMAN_SENDER, ...HUMAN_GIT });
const copilotCommit = (sha: string) => commitEntry(sha, "Implement the change", { account: COPILOT, ...COPILOT_COMMITTER });
/** A human's push of `commits` (payload entries) to master. */
const humanPush = (commits: Record<string, unknown>[], o: Parameters<typeof pushPayload>[0] = {}) =>
  pushPayload({ ref: MASTER, pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits, ...o });

describe("push to a protected branch: every commit new on the branch is examined", () => {
  expectEveryMockUsed();

  it("raises an incident for an assistant's commit pushed to another branch first (git push HEAD:tmp, then HEAD:master)", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    // On master the commit is not distinct: the push to tmp brought it into the repository.
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [humanCommit(AFTER, TRAILER)], files: [] }]);
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", humanPush([payloadCommit(AFTER, TRAILER, { ...HUMAN_GIT, username: "octo-dev" }, false)]));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by claude-code on master");
    expect(issue.body!.body).toContain(
      "Commits by Claude Code (claude-code, unregistered, no owner) were pushed to the protected branch master (the default branch) by another account, not merged from a reviewed pull request.",
    );
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "push",
        actor: { login: "octo-dev", id: 5001 },
        ref: MASTER,
        headSha: AFTER,
        response: "incident",
        severity: "critical",
        ruleIds: ["push-to-protected-branch", "unregistered-agent"],
        agents: [{ key: "claude-code", declared: false }],
      }),
    ]);
  });

  it("examines commits the payload does not list: an assistant's commit on the second page of the compare", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    const page1 = Array.from({ length: 100 }, (_, i) => humanCommit(i.toString(16).padStart(40, "a")));
    const devin = commitEntry(AFTER, "Sneak in", { account: DEVIN, name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" });
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: page1, files: [] }, { commits: [devin], files: [] }], 101);
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    // The payload's list is cut short (GitHub lists at most 2048); here it names one human commit only.
    await h.receive("push", humanPush([payloadCommit(String(page1[0]!.sha), "Hand-written change", { ...HUMAN_GIT, username: "octo-dev" })]));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by devin on master");
    expect(h.audit()).toEqual([expect.objectContaining({ response: "incident", agents: [{ key: "devin", declared: false }] })]);
  });

  it("compares a created protected branch with the default branch", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockCompare(scope, `master...${AFTER}`, [{ commits: [copilotCommit(AFTER)], files: [] }]);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", humanPush([], { ref: "refs/heads/release/2.0", before: ZERO, created: true }));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot on release/2.0");
    expect(h.audit()[0]).toMatchObject({ ref: "refs/heads/release/2.0", response: "incident", severity: "critical" });
  });

  it("fails closed when the compare API fails: a critical audit record says the push could not be fully examined", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    scope.get(`${REPO_PATH}/compare/${BEFORE}...${AFTER}`).query({ per_page: 100, page: 1 }).reply(502, { message: "Bad Gateway" });
    await h.receive("push", humanPush([payloadCommit(AFTER, "Hand-written change", { ...HUMAN_GIT, username: "octo-dev" }, false)]));
    expect(h.audit()).toEqual([
      expect.objectContaining({
        ref: MASTER,
        headSha: AFTER,
        decision: "error",
        response: "none",
        severity: "critical",
        ruleIds: ["facts-unavailable", "too-large-to-verify"],
        error: `the push to master could not be fully examined: GitHub API failure while trying to compare the commits of ${BEFORE.slice(0, 7)}...${AFTER.slice(0, 7)} (page 1) (HTTP 502): Bad Gateway`,
      }),
    ]);
  });

  it("fails closed when a push brings more commits than can be listed", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    const pages = Array.from({ length: 30 }, (_, p) => ({
      commits: Array.from({ length: 100 }, (_, i) => humanCommit((p * 100 + i).toString(16).padStart(40, "b"))),
      files: [],
    }));
    mockCompare(scope, `${BEFORE}...${AFTER}`, pages, 3001);
    await h.receive("push", humanPush([payloadCommit(AFTER, "Hand-written change", { ...HUMAN_GIT, username: "octo-dev" })]));
    expect(h.audit()).toEqual([
      expect.objectContaining({
        response: "none",
        severity: "critical",
        decision: "error",
        error: "the push to master could not be fully examined: GitHub counts 3001 new commits and 3000 were listed",
      }),
    ]);
  });

  it("still raises an incident for an assistant in the payload when the compare fails", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    scope.get(`${REPO_PATH}/compare/${BEFORE}...${AFTER}`).query({ per_page: 100, page: 1 }).reply(500, { message: "Server Error" });
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", humanPush([payloadCommit(AFTER, TRAILER, { ...HUMAN_GIT, username: "octo-dev" }, false)]));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by claude-code on master");
    expect(h.audit()[0]).toMatchObject({ response: "incident", ruleIds: ["push-to-protected-branch", "too-large-to-verify", "unregistered-agent"] });
  });

  it("does nothing more for a human's push of human commits to master", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [humanCommit(AFTER)], files: [] }]);
    await h.receive("push", humanPush([payloadCommit(AFTER, "Hand-written change", { ...HUMAN_GIT, username: "octo-dev" })]));
    expect(h.audit()).toEqual([]);
  });
});

describe("push to a protected branch onto a merge commit: only GitHub's own merge into that branch is a merge", () => {
  expectEveryMockUsed();

  it("leaves GitHub's squash merge of an assistant's pull request to merge-by-agent, and records the push", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    const squash = createdByGitHub(commitEntry(AFTER, "Implement the change (#2)", { account: COPILOT, ...COPILOT_COMMITTER }));
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [squash], files: [] }]);
    const pr = { number: 2, base: "master", mergeCommit: AFTER, head: PR_HEAD };
    mockCommitPulls(scope, AFTER, [mergedPull(pr)]);
    mockMergedPullRead(scope, { ...pr, mergedBy: HUMAN_SENDER });
    await h.receive("push", humanPush([payloadCommit(AFTER, "Implement the change (#2)", { ...COPILOT_COMMITTER, username: "Copilot" })]));
    expect(h.logs.some((l) => l.msg === "push to master is GitHub merging pull request #2; judged as a merge")).toBe(true);
    expect(h.audit()).toEqual([
      expect.objectContaining({
        ref: MASTER,
        headSha: AFTER,
        pullRequest: 2,
        decision: "allow",
        response: "none",
        severity: "info",
        ruleIds: [],
        agents: [{ key: "copilot", declared: true, owner: "@Codertocat/platform" }],
      }),
    ]);
  });

  it("raises an incident when an assistant fast-forwards master onto the merge commit of a pull request merged into another branch", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    const merge = createdByGitHub(commitEntry(AFTER, "Merge pull request #3 from Codertocat/copilot/fix", { account: HUMAN_SENDER, ...HUMAN_GIT }));
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [copilotCommit(PR_HEAD), merge], files: [] }]);
    mockCommitPulls(scope, AFTER, [mergedPull({ number: 3, base: "release/1.x", mergeCommit: AFTER, head: PR_HEAD })]);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER, commits: [payloadCommit(AFTER, "Merge pull request #3", { ...HUMAN_GIT, username: "octo-dev" }, false)] }));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot on master");
    expect(issue.body!.body).toContain("copilot (owner @\u2060Codertocat/platform) pushed to the protected branch master");
    expect(h.audit()[0]).toMatchObject({ response: "incident", severity: "critical" });
    expect(h.logs.find((l) => l.reason)?.reason).toBe("6113728 merged pull request #3 into release/1.x, not into master");
  });

  it("raises an incident when an assistant fast-forwards master onto its pull request's head, which GitHub then marks merged", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    // Even a head GitHub signed (an edit in the web editor) is the pull request's own head, not a merge GitHub made.
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [createdByGitHub(copilotCommit(AFTER))], files: [] }]);
    mockCommitPulls(scope, AFTER, [mergedPull({ number: 2, base: "master", mergeCommit: AFTER, head: AFTER })]);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER, commits: [payloadCommit(AFTER, "Implement the change", { ...COPILOT_PUSHER, username: "Copilot" }, false)] }));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot on master");
    expect(h.logs.find((l) => l.reason)?.reason).toBe("6113728 is the head of pull request #2: a fast-forward, not GitHub's merge");
  });

  it("raises an incident for a merge made locally and pushed under a person's token, though GitHub marks the pull request merged", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    const message = "Merge branch 'feature'\n\nCo-authored-by: Claude <noreply@anthropic.com>";
    const local = commitEntry(AFTER, message, { account: HUMAN_SENDER, ...HUMAN_GIT });
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [local], files: [] }]);
    mockCommitPulls(scope, AFTER, [mergedPull({ number: 2, base: "master", mergeCommit: AFTER, head: PR_HEAD })]);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", humanPush([payloadCommit(AFTER, message, { ...HUMAN_GIT, username: "octo-dev" })]));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by claude-code on master");
    expect(h.logs.find((l) => l.reason)?.reason).toBe("6113728 was not created and signed by GitHub, so it is not GitHub's merge of pull request #2");
  });

  it("raises an incident when an assistant pushes a merge commit GitHub made for a merge someone else did", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    const merge = createdByGitHub(commitEntry(AFTER, "Merge pull request #2", { account: HUMAN_SENDER, ...HUMAN_GIT }));
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [merge], files: [] }]);
    const pr = { number: 2, base: "master", mergeCommit: AFTER, head: PR_HEAD };
    mockCommitPulls(scope, AFTER, [mergedPull(pr)]);
    mockMergedPullRead(scope, { ...pr, mergedBy: HUMAN_SENDER });
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER, commits: [payloadCommit(AFTER, "Merge pull request #2", { ...HUMAN_GIT, username: "octo-dev" }, false)] }));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot on master");
    expect(h.logs.find((l) => l.reason)?.reason).toBe("pull request #2 was merged by octo-dev, not by whoever pushed 6113728");
  });
});
