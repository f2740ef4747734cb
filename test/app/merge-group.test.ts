import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, HUMAN } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { mockCreate, POLICY } from "./mocks.js";
import { AFTER, BEFORE, COPILOT_PUSHER, HUMAN_PUSHER, HUMAN_SENDER, mockCompare, mockPolicy, mockRunsAt, payloadCommit, pushPayload, ZERO } from "./push-mocks.js";

const SUSPENDED = POLICY.replace('owner: "@Codertocat/platform"', 'owner: "@Codertocat/platform"\n    suspended: true');
const HUMAN_GIT = { name: "Octo Dev", email: "dev@example.com" };
const QUEUE_REF = `refs/heads/gh-readonly-queue/master/pr-2-${BEFORE}`;

/**
 * The real `merge_group.checks_requested` example, moved to the repository of the real push example
 * (Codertocat/Hello-World, default branch master) so the group's base is master at BEFORE and its head AFTER.
 */
function mergeGroupPayload(): Record<string, any> {
  const payload = examplePayload("merge_group", "checks_requested");
  payload.repository = pushPayload().repository;
  payload.merge_group = { ...payload.merge_group, base_sha: BEFORE, head_sha: AFTER, base_ref: "refs/heads/master", head_ref: QUEUE_REF };
  return payload;
}

/** Policy → compare of the group's range → the head's state → the check run posted there. */
function mockGroup(policy: string, pages: { commits: unknown[]; files: unknown[] }[]) {
  const scope = mockPolicy(policy);
  mockCompare(scope, `${BEFORE}...${AFTER}`, pages);
  mockRunsAt(scope, AFTER);
  return mockCreate(scope);
}

describe("merge_group.checks_requested → the check on the group's head commit", () => {
  expectEveryMockUsed();

  it("passes a group whose assistant stayed within its grant: the queue's branch is not held to the agent's branches", async () => {
    const h = await createHarness();
    const posted = mockGroup(POLICY, [{ commits: [commitEntry(AFTER, "Fix (#2)", { account: COPILOT, ...COPILOT_COMMITTER })], files: [fileEntry("src/a.ts")] }]);
    await h.receive("merge_group", mergeGroupPayload());
    expect(posted.body).toMatchObject({ name: "Agent Policy", head_sha: AFTER, status: "completed", conclusion: "success" });
    expect(posted.body!.output.title).toBe("Compliant: copilot stayed within policy");
    expect(posted.body!.output.summary).toContain("merge queue group for `master`");
    expect(h.audit()).toEqual([
      expect.objectContaining({ event: "merge_group", action: "checks_requested", ref: QUEUE_REF, headSha: AFTER, decision: "allow", response: "check_run", conclusion: "success" }),
    ]);
  });

  it("denies a group holding the pull request of an agent suspended since it was queued", async () => {
    const h = await createHarness();
    const posted = mockGroup(SUSPENDED, [{ commits: [commitEntry(AFTER, "Fix (#2)", { account: COPILOT, ...COPILOT_COMMITTER })], files: [fileEntry("src/a.ts")] }]);
    await h.receive("merge_group", mergeGroupPayload());
    expect(posted.body!.conclusion).toBe("failure");
    expect(h.audit()).toEqual([expect.objectContaining({ event: "merge_group", decision: "deny", ruleIds: ["agent-suspended"] })]);
  });

  it("denies a group in which an assistant's commit changes a path outside its grant", async () => {
    const h = await createHarness();
    const posted = mockGroup(POLICY, [
      { commits: [commitEntry(BEFORE.replace(/^e/, "f"), "Docs", { account: HUMAN, ...HUMAN_GIT }), commitEntry(AFTER, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })], files: [fileEntry("src/auth/login.ts")] },
    ]);
    await h.receive("merge_group", mergeGroupPayload());
    expect(posted.body!.conclusion).toBe("failure");
    expect(h.audit()[0]).toMatchObject({ decision: "deny", ruleIds: ["path-scope"] });
  });

  it("passes a group without assistants, so a required check never holds a merge queue", async () => {
    const h = await createHarness();
    const posted = mockGroup(POLICY, [{ commits: [commitEntry(AFTER, "Hand-written (#3)", { account: HUMAN, ...HUMAN_GIT })], files: [fileEntry("README.md")] }]);
    await h.receive("merge_group", mergeGroupPayload());
    expect(posted.body).toMatchObject({ head_sha: AFTER, conclusion: "success" });
    expect(posted.body!.output.title).toBe("Compliant: no AI assistant activity");
  });

  it("judges GitHub's push that creates the queue's branch as the group: not held to the agent's branches", async () => {
    const h = await createHarness();
    const scope = mockPolicy(POLICY);
    mockCompare(scope, `master...${AFTER}`, [{ commits: [commitEntry(AFTER, "Fix (#2)", { account: COPILOT, ...COPILOT_COMMITTER })], files: [fileEntry("src/a.ts")] }]);
    mockRunsAt(scope, AFTER);
    const posted = mockCreate(scope);
    const commit = payloadCommit(AFTER, "Fix (#2)", { ...COPILOT_PUSHER, username: "Copilot" });
    await h.receive("push", pushPayload({ ref: QUEUE_REF, before: ZERO, created: true, pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] }));
    expect(posted.body).toMatchObject({ head_sha: AFTER, conclusion: "success" });
    expect(posted.body!.output.summary).toContain("merge queue branch `gh-readonly-queue/master/pr-2-");
    expect(h.audit()).toEqual([expect.objectContaining({ event: "push", ref: QUEUE_REF, decision: "allow" })]);
  });

  it("fails the group closed when the policy cannot be read", async () => {
    const h = await createHarness();
    const scope = mockPolicy(null);
    mockRunsAt(scope, AFTER);
    const posted = mockCreate(scope);
    await h.receive("merge_group", mergeGroupPayload());
    expect(posted.body).toMatchObject({ head_sha: AFTER, conclusion: "failure" });
    expect(h.audit()[0]).toMatchObject({ event: "merge_group", decision: "error", ruleIds: ["facts-unavailable"] });
  });

  it("fails the group closed when the compare API fails", async () => {
    const h = await createHarness();
    const scope = mockPolicy(POLICY);
    scope.get(`${REPO_PATH}/compare/${BEFORE}...${AFTER}`).query({ per_page: 100, page: 1 }).reply(502, { message: "Bad Gateway" });
    mockRunsAt(scope, AFTER);
    const posted = mockCreate(scope);
    await h.receive("merge_group", mergeGroupPayload());
    expect(posted.body).toMatchObject({ head_sha: AFTER, conclusion: "failure" });
  });
});
