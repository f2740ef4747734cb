import type nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { MAX_PREVIOUS_BLOB_DIRECTORIES } from "../../src/github/previous-blobs.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads, pagedReply, POLICY } from "./mocks.js";
import { AFTER, BEFORE, mockOpenPulls, mockPolicy, mockRunsAt, pushPayload } from "./push-mocks.js";

/** The base commit `pullResponse` gives, and the merge base GitHub reports for it. */
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const MERGE_BASE = "4b".repeat(20);
const LOGO_BLOB = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";

/** A rename as GitHub lists it, whatever the content did: `changes: 0`, no `patch`. */
const renamedLogo = (sha = LOGO_BLOB) =>
  fileEntry("src/img/logo.png", "renamed", { previous_filename: "src/assets/logo.png", additions: 0, deletions: 0, changes: 0, patch: undefined, sha });

/** `src/assets` at `ref` as the contents API lists it, holding `logo.png` with `blob`. */
function mockAssets(scope: nock.Scope, ref: string, blob: string | { status: number }) {
  const listing = scope.get(`${REPO_PATH}/contents/src%2Fassets`).query({ ref });
  if (typeof blob === "object") listing.reply(blob.status, { message: "Server Error" });
  else listing.reply(200, [{ name: "logo.png", path: "src/assets/logo.png", type: "file", sha: blob }, { name: "icon.svg", path: "src/assets/icon.svg", type: "file", sha: "1".repeat(40) }]);
}

/** A PNG as GitHub lists it in a pull request: a blob SHA, no line counts, no `patch`. */
const png = fileEntry("src/assets/logo.png", "added", { additions: 0, deletions: 0, changes: 0, patch: undefined, sha: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad" });
const commits = [commitEntry(HEAD, "Add the logo", { account: COPILOT, ...COPILOT_COMMITTER })];

function prEvent() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

describe("pull_request with a file GitHub gives no diff for", () => {
  expectEveryMockUsed();

  it("holds the check for the agent owner's review (action_required) and asks the owner's team", async () => {
    const h = await createHarness();
    const scope = mockReads({ files: [fileEntry("src/app.ts"), png], commits });
    mockApprovalReads(scope, []);
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, []);
    pagedReply(scope, "/orgs/codertocat/teams/platform/members", [{ login: "octo-lead", id: 7001, type: "User" }]);
    const asked: { body?: unknown } = {};
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((asked.body = b), true)).reply(201, {});
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.title).toBe("Requires step-up review: 1 finding for copilot");
    expect(posted.body!.output.annotations).toEqual([
      expect.objectContaining({ path: "src/assets/logo.png", annotation_level: "warning", title: "unscannable-change (step-up)" }),
    ]);
    expect(posted.body!.output.summary).toContain(
      "| step-up | `unscannable-change` | copilot | @Codertocat/platform | path `src/assets/logo.png` | copilot (owner @\u2060Codertocat/platform) changed src/assets/logo.png, but GitHub gives no diff of its content (a binary file, or a rename or copy not proven unchanged), so it could not be scanned for credentials; a human must review it. |",
    );
    expect(posted.body!.output.summary).toContain("| `unscannable-changes (copilot)` | @Codertocat/platform | nobody yet | 1 of 1 | `src/assets/logo.png` |");
    expect(asked.body).toEqual({ reviewers: [], team_reviewers: ["platform"] });
    expect(h.audit()[0]).toMatchObject({ decision: "step_up", conclusion: "action_required", ruleIds: ["unscannable-change"] });
  });

  it("fails the check with unscannable: deny, for a diff too large to show as for a binary file", async () => {
    const h = await createHarness();
    const bundle = fileEntry("src/bundle.js", "modified", { additions: 48_000, deletions: 0, changes: 48_000, patch: undefined });
    const scope = mockReads({ policy: `${POLICY}unscannable: deny\n`, files: [png, bundle], commits });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.title).toBe("Denied: 2 findings for copilot");
    expect(posted.body!.output.annotations.map((a: any) => [a.path, a.title, a.annotation_level])).toEqual([
      ["src/assets/logo.png", "unscannable-change (deny)", "failure"],
      ["src/bundle.js", "unscannable-change (deny)", "failure"],
    ]);
    expect(h.audit()[0]).toMatchObject({ decision: "deny", conclusion: "failure", ruleIds: ["unscannable-change"] });
  });

  it("passes a removed binary file: nothing is added to scan", async () => {
    const h = await createHarness();
    const removed = fileEntry("src/assets/old.png", "removed", { additions: 0, deletions: 0, changes: 0, patch: undefined });
    const scope = mockReads({ files: [fileEntry("src/app.ts"), removed], commits });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("success");
  });

  it("passes a rename whose blob is the one at the merge base: nothing new to scan", async () => {
    const h = await createHarness();
    const scope = mockReads({ files: [renamedLogo()], commits });
    scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE }, commits: [], files: [] });
    mockAssets(scope, MERGE_BASE, LOGO_BLOB);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("success");
  });

  it("denies a rename that also rewrote the binary (its blob differs), with unscannable: deny", async () => {
    const h = await createHarness();
    const scope = mockReads({ policy: `${POLICY}unscannable: deny\n`, files: [renamedLogo("9".repeat(40))], commits });
    scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE }, commits: [], files: [] });
    mockAssets(scope, MERGE_BASE, LOGO_BLOB);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.annotations.map((a: any) => [a.path, a.title])).toEqual([["src/img/logo.png", "unscannable-change (deny)"]]);
  });

  it("fails closed when the earlier blob cannot be read", async () => {
    const h = await createHarness();
    const scope = mockReads({ files: [renamedLogo()], commits, pullReads: 1 });
    scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE }, commits: [], files: [] });
    mockAssets(scope, MERGE_BASE, { status: 502 });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.title).toBe("Could not verify this change: failing closed");
  });

  it("judges an agent's push the same way: a binary added is held, a pure rename passes", async () => {
    const h = await createHarness();
    const scope = mockPolicy(POLICY);
    mockOpenPulls(scope, "copilot/fix");
    scope
      .get(`${REPO_PATH}/compare/${BEFORE}...${AFTER}`)
      .query({ per_page: 100, page: 1 })
      .reply(200, { total_commits: 1, merge_base_commit: { sha: BEFORE }, commits: [commitEntry(AFTER, "Move the logo, add a font", { account: COPILOT, ...COPILOT_COMMITTER })], files: [renamedLogo(), fileEntry("src/fonts/mono.woff2", "added", { additions: 0, deletions: 0, changes: 0, patch: undefined, sha: "7".repeat(40) })] });
    mockAssets(scope, BEFORE, LOGO_BLOB);
    mockRunsAt(scope, AFTER);
    const posted = mockCreate(scope);
    await h.receive("push", pushPayload());
    expect(posted.body).toMatchObject({ conclusion: "action_required", head_sha: AFTER });
    expect(posted.body!.output.annotations.map((a: any) => [a.path, a.title])).toEqual([["src/fonts/mono.woff2", "unscannable-change (step-up)"]]);
  });

  it(`lists at most ${MAX_PREVIOUS_BLOB_DIRECTORIES} directories per change: a rename from one more stays held`, async () => {
    const h = await createHarness();
    const dirs = Array.from({ length: MAX_PREVIOUS_BLOB_DIRECTORIES + 1 }, (_, i) => `src/old${String(i).padStart(2, "0")}`);
    const files = dirs.map((dir, i) =>
      fileEntry(`src/new${String(i).padStart(2, "0")}/x.bin`, "renamed", { previous_filename: `${dir}/x.bin`, additions: 0, deletions: 0, changes: 0, patch: undefined, sha: LOGO_BLOB }),
    );
    const scope = mockReads({ files, commits });
    scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE }, commits: [], files: [] });
    for (const dir of dirs.slice(0, MAX_PREVIOUS_BLOB_DIRECTORIES)) {
      scope.get(`${REPO_PATH}/contents/${encodeURIComponent(dir)}`).query({ ref: MERGE_BASE }).reply(200, [{ name: "x.bin", type: "file", sha: LOGO_BLOB }]);
    }
    mockApprovalReads(scope, []);
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, []);
    pagedReply(scope, "/orgs/codertocat/teams/platform/members", []);
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    expect(posted.body!.conclusion).toBe("action_required");
    expect(posted.body!.output.annotations.map((a: any) => a.path)).toEqual([`src/new${MAX_PREVIOUS_BLOB_DIRECTORIES}/x.bin`]);
  });
});
