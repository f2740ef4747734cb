import nock from "nock";
import { describe, expect, it } from "vitest";
import { TRUE_POSITIVES } from "../engine/secret-samples.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, DEVIN, fileEntry } from "../fixtures/github.js";
import { createHarness, REPO_PATH, expectEveryMockUsed } from "./harness.js";
import { visibleText } from "../report/github-markdown.js";
import { mockCreate } from "./mocks.js";
import {
  AFTER,
  BEFORE,
  HUMAN_PUSHER,
  HUMAN_SENDER,
  mockCompare,
  mockOpenPulls,
  mockPolicy,
  mockRunsAt,
  payloadCommit,
  pushPayload,
  ZERO,
} from "./push-mocks.js";

const AWS = TRUE_POSITIVES[0]!;
const copilotCommit = (sha = AFTER) => commitEntry(sha, "Implement the change", { account: COPILOT, ...COPILOT_COMMITTER });

/** Mocks policy → open pull requests → compare (one page per entry) → check run; returns the posted check run. */
function mockEvaluation(basehead: string, pages: { commits: unknown[]; files: unknown[] }[], totalCommits?: number, branch = "copilot/fix") {
  const scope = mockPolicy();
  mockOpenPulls(scope, branch);
  mockCompare(scope, basehead, pages, totalCommits);
  mockRunsAt(scope, AFTER);
  return mockCreate(scope);
}

describe("push → evaluation of the pushed changes", () => {
  expectEveryMockUsed();

  it("judges an agent's push like a pull request: exact check run on the pushed head, one audit record", async () => {
    const h = await createHarness();
    const secretPatch = `@@ -1 +1,2 @@\n-old\n+const key = "${AWS.value}";`;
    const posted = mockEvaluation(`${BEFORE}...${AFTER}`, [
      { commits: [copilotCommit()], files: [fileEntry("src/app.ts"), fileEntry("docs/notes.md"), fileEntry("src/config.ts", "modified", { patch: secretPatch })] },
    ]);
    await h.receive("push", pushPayload());
    const body = posted.body!;
    expect(body).toMatchObject({
      name: "Agent Policy",
      head_sha: AFTER,
      status: "completed",
      conclusion: "failure",
      details_url: "https://github.com/Codertocat/Hello-World/compare/ec26c3e57ca3...6113728f27ae",
    });
    expect(body.output.title).toBe("Denied: 2 findings for copilot");
    expect(body.output.summary.split("\n").slice(0, 5)).toEqual([
      "### Denied: 2 findings for copilot",
      "",
      "**Policy:** `.agent-policy.yml` on `master` (blob `0123456789ab`) · **Mode:** enforce",
      "",
      "**Change:** push to `copilot/fix`: `ec26c3e`...`6113728`",
    ]);
    expect(visibleText(body.output.summary)).toContain("pusher Copilot (id 198982749) as Copilot <198982749+Copilot@users.noreply.github.com>");
    expect(body.output.annotations.map((a: any) => [a.path, a.title, a.start_line])).toEqual([
      ["src/config.ts", "secret-content (deny)", 1],
      ["docs/notes.md", "path-scope (deny)", 1],
    ]);
    expect(JSON.stringify(body)).not.toContain(AWS.value);
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "push",
        actor: { login: "Copilot", id: 198982749 },
        ref: "refs/heads/copilot/fix",
        headSha: AFTER,
        decision: "deny",
        response: "check_run",
        conclusion: "failure",
        ruleIds: ["path-scope", "secret-content"],
        checkRunId: 77,
        target: { kind: "check_run", id: 77 },
        severity: "info",
      }),
    ]);
  });

  it("makes no call beyond reading the policy for a human's push", async () => {
    const h = await createHarness();
    mockPolicy();
    const commit = payloadCommit(AFTER, "Hand-written change", { ...HUMAN_PUSHER, username: "octo-dev" });
    await expect(h.receive("push", pushPayload({ pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] }))).resolves.toBeUndefined();
    expect(h.audit()).toEqual([]);
  });

  it("finds an assistant that appears only as a co-author trailer of a pushed commit", async () => {
    const h = await createHarness();
    const message = "Refactor parser\n\nCo-authored-by: Claude <noreply@anthropic.com>";
    const human = { name: "Octo Dev", email: "dev@example.com" };
    const posted = mockEvaluation(`${BEFORE}...${AFTER}`, [
      { commits: [commitEntry(AFTER, message, { account: HUMAN_SENDER, ...human })], files: [fileEntry("src/parser.ts")] },
    ], undefined, "feature/parser");
    const commit = payloadCommit(AFTER, message, { ...human, username: "octo-dev" });
    await h.receive("push", pushPayload({ ref: "refs/heads/feature/parser", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] }));
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.title).toBe("Denied: 1 finding for claude-code");
    expect(visibleText(posted.body!.output.summary)).toContain('co-author trailer "Co-authored-by: Claude <noreply@anthropic.com>" in 6113728');
    expect(h.audit()[0]).toMatchObject({ ruleIds: ["unregistered-agent"], agents: [{ key: "claude-code", declared: false }] });
  });

  it("does not judge an assistant's commit pushed before (a merge of master into the branch) as this push's", async () => {
    const h = await createHarness();
    const human = { name: "Octo Dev", email: "dev@example.com" };
    const trailer = "Merge master\n\nCo-authored-by: Claude <noreply@anthropic.com>";
    const earlier = "2".repeat(40);
    const posted = mockEvaluation(`${BEFORE}...${AFTER}`, [
      { commits: [copilotCommit(earlier), commitEntry(AFTER, trailer, { account: HUMAN_SENDER, ...human })], files: [fileEntry("src/a.ts")] },
    ], undefined, "feature/x");
    const commits = [
      payloadCommit(earlier, "Implement the change", { ...COPILOT_COMMITTER, username: "Copilot" }, false),
      payloadCommit(AFTER, trailer, { ...human, username: "octo-dev" }),
    ];
    await h.receive("push", pushPayload({ ref: "refs/heads/feature/x", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits }));
    expect(h.audit()[0].agents).toEqual([{ key: "claude-code", declared: false }]);
    expect(posted.body!.output.summary).not.toContain("copilot");
  });

  it("makes no evaluation when the only assistant commits were pushed before", async () => {
    const h = await createHarness();
    mockPolicy();
    const old = payloadCommit("2".repeat(40), "Implement the change", { ...COPILOT_COMMITTER, username: "Copilot" }, false);
    await h.receive("push", pushPayload({ ref: "refs/heads/feature/x", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [old] }));
    expect(h.audit()).toEqual([]);
  });

  it("pages through the compare API: a commit listed only on page 2 is judged", async () => {
    const h = await createHarness();
    const page1 = Array.from({ length: 100 }, (_, i) => copilotCommit(i.toString(16).padStart(40, "1")));
    const devinCommit = commitEntry(AFTER, "Sneak in", { account: DEVIN, name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" });
    const posted = mockEvaluation(`${BEFORE}...${AFTER}`, [{ commits: page1, files: [fileEntry("src/a.ts")] }, { commits: [devinCommit], files: [] }], 101);
    await h.receive("push", pushPayload());
    expect(posted.body!.output.title).toBe("Denied: 1 finding for copilot, devin");
    expect(h.audit()[0]).toMatchObject({ ruleIds: ["unregistered-agent"], findings: [expect.objectContaining({ agent: "devin" })] });
  });

  it("judges files listed on a later compare page, and denies a listing cut at 300 files", async () => {
    const many = Array.from({ length: 300 }, (_, i) => fileEntry(`src/f${String(i).padStart(3, "0")}.ts`));
    const spanning = await createHarness();
    const two = mockEvaluation(`${BEFORE}...${AFTER}`, [{ commits: [copilotCommit()], files: many }, { commits: [], files: [fileEntry("docs/late.md")] }], 1);
    await spanning.receive("push", pushPayload(), "d-1");
    expect(two.body!.output.annotations.map((a: any) => [a.path, a.title])).toEqual([["docs/late.md", "path-scope (deny)"]]);
    nock.cleanAll();

    const cut = await createHarness();
    const one = mockEvaluation(`${BEFORE}...${AFTER}`, [{ commits: [copilotCommit()], files: many }, { commits: [], files: [] }], 1);
    await cut.receive("push", pushPayload(), "d-2");
    expect(one.body!.output.summary).toContain("`too-large-to-verify`");
    expect(visibleText(one.body!.output.summary)).toContain("GitHub's compare lists 300 files of the push to copilot/fix (6113728) and may have left out more");
  });

  it("compares a new branch with the default branch, and says why", async () => {
    const h = await createHarness();
    const posted = mockEvaluation(`master...${AFTER}`, [{ commits: [copilotCommit()], files: [fileEntry("src/a.ts")] }]);
    await h.receive("push", pushPayload({ before: ZERO, created: true }));
    expect(posted.body!.conclusion).toBe("success");
    expect(posted.body!.output.summary).toContain(
      "**Change:** new branch `copilot/fix` at `6113728`: every change compared with the default branch `master`, as a new branch has no earlier head",
    );
  });

  it("compares a force-pushed branch with the default branch, and records the force-push", async () => {
    const h = await createHarness();
    const posted = mockEvaluation(`master...${AFTER}`, [{ commits: [copilotCommit()], files: [fileEntry("src/a.ts")] }]);
    await h.receive("push", pushPayload({ forced: true }));
    expect(posted.body!.output.summary).toContain("**Change:** force-push to `copilot/fix` at `6113728` (was `ec26c3e`): the old head may not be an ancestor any more");
    const line = h.logs.find((l) => l.audit);
    expect(line).toMatchObject({ forced: true, compareBase: "master", audit: { response: "check_run", decision: "allow" } });
  });

  it("leaves a branch with an open pull request to that pull request's evaluation, and records the push", async () => {
    const h = await createHarness();
    mockOpenPulls(mockPolicy(), "copilot/fix", [2]);
    await h.receive("push", pushPayload());
    expect(h.logs.some((l) => l.msg === "push to copilot/fix is judged by pull request #2")).toBe(true);
    // Still on record: an assistant's push leaves an audit record even when nothing is posted.
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "push",
        actor: { login: "Copilot", id: 198982749 },
        ref: "refs/heads/copilot/fix",
        headSha: AFTER,
        pullRequest: 2,
        response: "none",
        agents: [{ key: "copilot", declared: true, owner: "@Codertocat/platform" }],
      }),
    ]);
    expect(h.logs.find((l) => l.audit)).toMatchObject({ judgedBy: "pull_request" });
  });

  it("audits an agent's deletion of an unprotected branch, with nothing else to check", async () => {
    const h = await createHarness();
    mockPolicy();
    await h.receive("push", pushPayload({ after: ZERO, deleted: true, commits: [] }));
    expect(h.audit()).toEqual([
      expect.objectContaining({ ref: "refs/heads/copilot/fix", decision: "allow", response: "none", agents: [{ key: "copilot", declared: true, owner: "@Codertocat/platform" }] }),
    ]);
    expect(h.audit()[0].headSha).toBeUndefined();
  });

  it("treats a tag pushed by an agent as out of scope: audited, nothing posted", async () => {
    const h = await createHarness();
    mockPolicy();
    await h.receive("push", pushPayload({ ref: "refs/tags/v1.0.0", before: ZERO, created: true }));
    const line = h.logs.find((l) => l.audit);
    expect(line).toMatchObject({ outOfScope: "tag", audit: { ref: "refs/tags/v1.0.0", response: "none", decision: "allow" } });
  });

  it("fails closed on the pushed head when the policy is invalid or unreadable", async () => {
    const h = await createHarness();
    const scope = mockPolicy("version: 1\nagentz: {}\n");
    mockRunsAt(scope, AFTER);
    const invalid = mockCreate(scope);
    await h.receive("push", pushPayload({ pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [] }), "d-1");
    expect(invalid.body!.output.title).toBe(".agent-policy.yml is invalid (1 problem): failing closed");
    expect(h.audit()[0]).toMatchObject({ decision: "error", ruleIds: ["policy-invalid"], response: "check_run" });

    const failing = mockPolicy(null);
    mockRunsAt(failing, AFTER);
    const unreadable = mockCreate(failing);
    const other = await createHarness();
    await other.receive("push", pushPayload(), "d-2");
    expect(unreadable.body!.conclusion).toBe("failure");
    expect(visibleText(unreadable.body!.output.summary)).toContain("read .agent-policy.yml from master (HTTP 500)");
    expect(other.audit()[0]).toMatchObject({ decision: "error", ruleIds: ["facts-unavailable"] });
  });

  it("still writes the one audit record when posting the push's check run fails", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockOpenPulls(scope, "copilot/fix");
    mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [copilotCommit()], files: [fileEntry("src/app.ts")] }]);
    mockRunsAt(scope, AFTER);
    scope.post(`${REPO_PATH}/check-runs`).reply(500, { message: "Server Error" });
    await expect(h.receive("push", pushPayload())).rejects.toThrow('create the "Agent Policy" check run (HTTP 500)');
    expect(h.audit()).toEqual([
      expect.objectContaining({
        headSha: AFTER,
        decision: "allow",
        response: "check_run",
        responded: false,
        conclusion: "success",
        responseError: 'could not post the check run: GitHub API failure while trying to create the "Agent Policy" check run (HTTP 500): Server Error',
      }),
    ]);
    expect(await h.stored()).toEqual(h.audit());
  });

  it("fails closed when the compare API fails", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockOpenPulls(scope, "copilot/fix");
    scope.get(`${REPO_PATH}/compare/${BEFORE}...${AFTER}`).query({ per_page: 100, page: 1 }).reply(502, { message: "Bad Gateway" });
    mockRunsAt(scope, AFTER);
    const posted = mockCreate(scope);
    await h.receive("push", pushPayload());
    expect(visibleText(posted.body!.output.summary)).toContain(`compare ${BEFORE}...6113728 (page 1) (HTTP 502)`);
    expect(h.audit()[0]).toMatchObject({ decision: "error", ruleIds: ["facts-unavailable"], conclusion: "failure" });
  });
});
