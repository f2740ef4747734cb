import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads, pagedReply, POLICY } from "./mocks.js";

/** Copilot may change anything, owned by a user; governance files still need that owner's approval. Audit mode: no review requests. */
const WIDE = POLICY.replace('allow: ["src/**", "test/**", "package.json"]', 'allow: ["**"]')
  .replace('"@Codertocat/platform"', '"@octo-lead"')
  .replace("version: 1", "version: 1\nmode: audit");

function prEvent() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

describe("files and directories that steer assistants are governance files", () => {
  expectEveryMockUsed();

  it("a task that runs on opening the folder, and a symlink put in place of .claude, need the owner's approval", async () => {
    const h = await createHarness();
    const files = [
      fileEntry(".vscode/tasks.json", "added"),
      fileEntry(".claude", "added", { patch: "@@ -0,0 +1 @@\n+docs/agent-notes\n\\ No newline at end of file" }),
      fileEntry("docs/agent-notes/settings.json", "added"),
    ];
    const scope = mockReads({ policy: WIDE, files, commits: [commitEntry(HEAD, "Editor setup", { account: COPILOT, ...COPILOT_COMMITTER })] });
    mockApprovalReads(scope, []);
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, []);
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", prEvent());
    const body = posted.body!;
    expect(body.conclusion).toBe("neutral");
    expect(body.output.title).toBe("Audit mode (not blocking): would require step-up review: 2 findings for copilot");
    expect(body.output.annotations.map((a: { path: string; title: string }) => [a.path, a.title])).toEqual([
      [".claude", "governance-file (step-up)"],
      [".vscode/tasks.json", "governance-file (step-up)"],
    ]);
    expect(body.output.annotations[0].message).toContain("is where governance files live (.claude/**)");
  });
});
