import { describe, expect, it } from "vitest";
import { gatherGitFacts, type GitFactsInput } from "../../src/cli/git-facts.js";
import { gitIn, LocalFactsError } from "../../src/cli/git.js";
import { COPILOT_GIT, HUMAN, TempRepo } from "./git-repo.js";
import { blobSha } from "../app/workflow-mocks.js";

const repository = { owner: "acme", name: "api", defaultBranch: "main" };

function input(overrides: Partial<GitFactsInput> = {}): GitFactsInput {
  return { base: "main", head: "HEAD", branch: "feature", kind: "pull_request", actors: [], repository, policyPaths: [".agent-policy.yml"], ...overrides };
}

async function facts(repo: TempRepo, overrides: Partial<GitFactsInput> = {}) {
  return gatherGitFacts(await gitIn(repo.dir), input(overrides));
}

describe("gatherGitFacts: a local range in the app's facts shape", { timeout: 60_000 }, () => {
  it("lists every changed file of base...head with GitHub's statuses, counts and hunk-only patches", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "README.md": "hello\n", "src/old.ts": "export const a = 1;\nexport const b = 2;\n", "gone.txt": "bye\n" });
    repo.git("checkout", "-q", "-b", "feature");
    repo.commit("change", { "src/new.ts": "line 1\nline 2\n", "README.md": "hello\nworld\n", "gone.txt": null });
    const { facts: f } = await facts(repo);
    expect(f.files).toEqual([
      { path: "README.md", status: "modified", additions: 1, deletions: 0, patch: "@@ -1 +1,2 @@\n hello\n+world", sha: blobSha("hello\nworld\n"), previousSha: blobSha("hello\n") },
      { path: "gone.txt", status: "removed", additions: 0, deletions: 1, patch: "@@ -1 +0,0 @@\n-bye", previousSha: blobSha("bye\n") },
      { path: "src/new.ts", status: "added", additions: 2, deletions: 0, patch: "@@ -0,0 +1,2 @@\n+line 1\n+line 2", sha: blobSha("line 1\nline 2\n") },
    ]);
    expect(f).toMatchObject({ kind: "pull_request", headRef: "feature", baseRef: "main", changedFiles: 3, commitsComplete: true, repository });
  });

  it("reports a rename with both sides, and an edited rename with its patch", async () => {
    const repo = new TempRepo();
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n") + "\n";
    repo.commit("base", { ".env": "SECRET=1\n", "src/a.ts": before });
    repo.git("checkout", "-q", "-b", "feature");
    repo.commit("rename", { "notes.txt": { renameFrom: ".env" }, "lib/a.ts": { renameFrom: "src/a.ts" } });
    repo.commit("edit", { "lib/a.ts": `${before}line 20\n` });
    const { facts: f } = await facts(repo);
    expect(f.files).toEqual([
      {
        path: "lib/a.ts",
        previousPath: "src/a.ts",
        status: "renamed",
        additions: 1,
        deletions: 0,
        patch: expect.stringMatching(/^@@ -18,3 \+18,4 @@[^\n]*\n line 17\n line 18\n line 19\n\+line 20$/),
        sha: blobSha(`${before}line 20\n`),
        previousSha: blobSha(before),
      },
      // An exact rename: no diff, and the same blob on both sides, which proves nothing new needs scanning.
      { path: "notes.txt", previousPath: ".env", status: "renamed", additions: 0, deletions: 0, sha: blobSha("SECRET=1\n"), previousSha: blobSha("SECRET=1\n") },
    ]);
  });

  it("reads each commit's raw author, committer and message (with trailers), oldest first, ignoring the mailmap", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "a.txt": "a\n" });
    repo.git("checkout", "-q", "-b", "feature");
    // A .mailmap that would re-label the assistant's commits as a person's must not be applied.
    const first = repo.commit("Add b\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", { "b.txt": "b\n", ".mailmap": `Octo Dev <dev@example.com> <${COPILOT_GIT.email}>\n` });
    const second = repo.commit("Fix b\n\nGenerated with [Claude Code]", { "b.txt": "b2\n" }, COPILOT_GIT, HUMAN);
    const { facts: f } = await facts(repo);
    expect(f.commits).toEqual([
      { sha: first, message: "Add b\n\nCo-authored-by: Claude <noreply@anthropic.com>", author: HUMAN, committer: HUMAN },
      { sha: second, message: "Fix b\n\nGenerated with [Claude Code]", author: COPILOT_GIT, committer: HUMAN },
    ]);
  });

  it("gives a binary file no patch and no counted additions, as GitHub does, and text next to it its patch", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "a.txt": "a\n" });
    repo.git("checkout", "-q", "-b", "feature");
    repo.commit("add", { "img.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]), "b.txt": "b\n" });
    const { facts: f } = await facts(repo);
    expect(f.files).toEqual([
      { path: "b.txt", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+b", sha: blobSha("b\n") },
      { path: "img.png", status: "added", additions: 0, deletions: 0, sha: blobSha(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01])) },
    ]);
  });

  it("keeps odd file names exact (spaces, quotes, newlines, non-ASCII) and pairs a type change's two patches", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "link": { symlink: "a.txt" }, "a.txt": "a\n" });
    repo.git("checkout", "-q", "-b", "feature");
    repo.unlink("link");
    repo.commit("odd", { "dir/with space.txt": "s\n", 'q"uote.txt': "q\n", "new\nline.txt": "n\n", "ünï.txt": "u\n", link: "now a file\n" });
    const { facts: f } = await facts(repo);
    expect(f.files.map((file) => [file.path, file.status, file.patch])).toEqual([
      ["dir/with space.txt", "added", "@@ -0,0 +1 @@\n+s"],
      ["link", "changed", "@@ -0,0 +1 @@\n+now a file"],
      ["new\nline.txt", "added", "@@ -0,0 +1 @@\n+n"],
      ['q"uote.txt', "added", "@@ -0,0 +1 @@\n+q"],
      ["ünï.txt", "added", "@@ -0,0 +1 @@\n+u"],
    ]);
  });

  it("judges only what the branch adds since its merge base, and lists the branch's commits only", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "a.txt": "a\n" });
    repo.git("checkout", "-q", "-b", "feature");
    const own = repo.commit("feature work", { "f.txt": "f\n" });
    repo.git("checkout", "-q", "main");
    repo.commit("main moves on", { "m.txt": "m\n" });
    repo.git("checkout", "-q", "feature");
    const { facts: f, mergeBase } = await facts(repo);
    expect(f.files.map((file) => file.path)).toEqual(["f.txt"]);
    expect(f.commits.map((c) => c.sha)).toEqual([own]);
    expect(mergeBase).toBe(repo.git("merge-base", "main", "feature").trim());
  });

  it("builds push facts for --push: the branch ref, compared from the merge base", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "a.txt": "a\n" });
    const head = repo.commit("more", { "b.txt": "b\n" });
    const { facts: f, baseSha } = await facts(repo, { base: "HEAD~1", branch: "main", kind: "push" });
    expect(f).toMatchObject({ kind: "push", ref: "refs/heads/main", refType: "branch", headRef: "main", headSha: head, before: baseSha, compareBase: baseSha, filesComplete: true });
  });

  it("fails closed on a revision that names no commit, an option smuggled as a revision, or unrelated histories", async () => {
    const repo = new TempRepo();
    repo.commit("base", { "a.txt": "a\n" });
    await expect(facts(repo, { base: "nope" })).rejects.toThrow(LocalFactsError);
    await expect(facts(repo, { base: "--output=/tmp/x" })).rejects.toThrow("is not a revision");
    repo.git("checkout", "-q", "--orphan", "other");
    repo.commit("unrelated", { "z.txt": "z\n" });
    await expect(facts(repo, { base: "main", head: "other" })).rejects.toThrow("no common history");
  });
});
