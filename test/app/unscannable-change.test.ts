import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, pagedReply, POLICY } from "./mocks.js";

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
    expect(posted.body!.output.summary).toContain("| `unscannable-changes` | @Codertocat/platform | nobody yet | 1 of 1 | `src/assets/logo.png` |");
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
});
