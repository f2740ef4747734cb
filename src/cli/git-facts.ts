import type { Actor, ChangedFile, ChangeFacts, CommitFact, FileStatus } from "../engine/types.js";
import { LocalFactsError, type Git } from "./git.js";
import { gitWorkflowChanges } from "./git-workflow-changes.js";

/** What to judge: a local range, seen as a pull request from `branch` or as a push of `branch`. */
export interface GitFactsInput {
  /** Any revisions git understands; the change is what `head` adds since its merge base with `base` (as GitHub's `base...head`). */
  base: string;
  head: string;
  /** The head branch: the pull request's, or the branch pushed to. */
  branch: string;
  kind: "pull_request" | "push";
  /** Who acts on the change (the CLI's `--actor` / `--agent`); commit authors, committers and trailers are read from the commits. */
  actors: Actor[];
  repository: ChangeFacts["repository"];
  /** Repository-relative paths the policy is read from, for the self-edit rule. */
  policyPaths: string[];
  /** The pull request number to report, when there is one. */
  number?: number;
}

export interface GitFacts {
  facts: ChangeFacts;
  baseSha: string;
  mergeBase: string;
}

/** Options every diff is read with: rename detection as GitHub does it, and nothing the repository could use to rewrite the output. */
const DIFF_OPTIONS = ["-M", "--no-ext-diff", "--no-textconv", "--no-relative", "--no-color", "--submodule=short", "--ignore-submodules=none"];

/**
 * The facts of a local git range in the shape the app builds from GitHub's
 * API, so one engine judges both: every changed file of `mergeBase..head`
 * with both sides of a rename, its added lines as a hunk-only patch (none for
 * a binary file, with no additions counted, as GitHub reports it), and every
 * commit of `base..head` with its raw author, committer and message (the
 * mailmap is not applied), and both versions of each changed workflow and
 * action file, parsed. The lists are complete (a local repository has no
 * listing limit). Anything git prints that does not parse is a `LocalFactsError`:
 * the caller fails closed.
 */
export async function gatherGitFacts(git: Git, input: GitFactsInput): Promise<GitFacts> {
  const headSha = await resolveCommit(git, input.head);
  const baseSha = await resolveCommit(git, input.base);
  const mergeBase = (await git.probe(["merge-base", baseSha, headSha]))?.trim();
  if (!mergeBase) throw new LocalFactsError(`${input.base} and ${input.head} have no common history; fetch more of it or choose another base`);

  const commits = await readCommits(git, baseSha, headSha);
  const files = await readChangedFiles(git, mergeBase, headSha);
  const workflowChanges = await gitWorkflowChanges(git, files, mergeBase, headSha);
  const common = {
    repository: input.repository,
    headSha,
    headRef: input.branch,
    actors: input.actors,
    commits,
    commitsComplete: true,
    files,
    changedFiles: files.length,
    policyPaths: input.policyPaths,
    workflowChanges,
  };
  const facts: ChangeFacts =
    input.kind === "pull_request"
      ? { kind: "pull_request", ...common, number: input.number ?? 0, baseRef: input.base }
      : {
          kind: "push",
          ...common,
          ref: `refs/heads/${input.branch}`,
          refType: "branch",
          before: baseSha,
          created: false,
          deleted: false,
          forced: false,
          compareBase: mergeBase,
          filesComplete: true,
        };
  return { facts, baseSha, mergeBase };
}

async function resolveCommit(git: Git, revision: string): Promise<string> {
  if (revision.startsWith("-")) throw new LocalFactsError(`'${revision}' is not a revision`);
  const sha = (await git.probe(["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`]))?.trim();
  if (!sha) throw new LocalFactsError(`'${revision}' does not name a commit in ${git.root}`);
  return sha;
}

const FIELD = "%x00";
const COMMIT_FORMAT = ["%H", "%an", "%ae", "%cn", "%ce", "%B"].join(FIELD) + FIELD;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The commits of `base..head`, oldest first, checked against `rev-list` so none can hide in a message git could not split. */
async function readCommits(git: Git, baseSha: string, headSha: string): Promise<CommitFact[]> {
  const range = `${baseSha}..${headSha}`;
  const expected = (await git.text(["rev-list", "--reverse", range])).split("\n").filter(Boolean);
  if (expected.length === 0) return [];
  const fields = (await git.text(["log", "--reverse", "--no-mailmap", `--format=${COMMIT_FORMAT}`, range])).split("\0");
  const commits: CommitFact[] = [];
  for (let i = 0; i + 6 <= fields.length; i += 6) {
    const [sha, authorName, authorEmail, committerName, committerEmail, message] = fields.slice(i, i + 6).map((f) => f ?? "") as [string, string, string, string, string, string];
    const trimmedSha = sha.replace(/^\n/, "");
    if (!SHA.test(trimmedSha)) throw new LocalFactsError(`could not read the commits of ${range}: unexpected output near ${JSON.stringify(trimmedSha.slice(0, 40))}`);
    commits.push({
      sha: trimmedSha,
      message: message.replace(/\n$/, ""),
      author: person(authorName, authorEmail),
      committer: person(committerName, committerEmail),
    });
  }
  if (commits.length !== expected.length || commits.some((c, i) => c.sha !== expected[i])) {
    throw new LocalFactsError(`could not read the commits of ${range}: git listed ${expected.length}, the log gave ${commits.length}`);
  }
  return commits;
}

function person(name: string, email: string): CommitFact["author"] {
  return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

const STATUS: Record<string, FileStatus> = { A: "added", M: "modified", D: "removed", R: "renamed", C: "copied", T: "changed" };

interface NameStatus {
  status: FileStatus;
  path: string;
  previousPath?: string;
  /** The blob before and after (git's all-zero id for a side that does not exist). */
  oldBlob: string;
  newBlob: string;
  /** Git prints a type change (file ↔ symlink) as two patches: the old path deleted, the new one added. */
  patches: number;
}

/** Every changed file of `from..to`, paired with its patch: name-status and patch print the files in the same order. */
async function readChangedFiles(git: Git, from: string, to: string): Promise<ChangedFile[]> {
  const entries = parseRaw(await git.text(["diff", ...DIFF_OPTIONS, "--raw", "--no-abbrev", "-z", from, to, "--"]));
  const chunks = splitPatch(await git.text(["diff", ...DIFF_OPTIONS, "-p", "--unified=3", from, to, "--"]));
  const needed = entries.reduce((n, e) => n + e.patches, 0);
  if (needed !== chunks.length) throw new LocalFactsError(`could not pair the ${entries.length} changed files of ${from.slice(0, 7)}..${to.slice(0, 7)} with git's ${chunks.length} patches`);
  let next = 0;
  return entries.map((entry) => {
    const own = chunks.slice(next, (next += entry.patches));
    // Of a type change's two patches, the second (the new content) holds the added lines.
    return changedFile(entry, own[own.length - 1]!);
  });
}

/** `git diff --raw -z`: `:oldmode newmode oldblob newblob status`, then the path (two for a rename or copy). */
function parseRaw(output: string): NameStatus[] {
  const tokens = output.split("\0");
  if (tokens.at(-1) === "") tokens.pop();
  const entries: NameStatus[] = [];
  for (let i = 0; i < tokens.length; ) {
    const header = tokens[i++]!.replace(/^\n/, "");
    const fields = header.startsWith(":") ? header.slice(1).split(" ") : [];
    const [, , oldBlob, newBlob, code] = fields;
    if (fields.length !== 5 || !SHA.test(oldBlob!) || !SHA.test(newBlob!)) throw new LocalFactsError(`git reported a change in an unexpected form (${JSON.stringify(header.slice(0, 120))})`);
    const blobs = { oldBlob: oldBlob!, newBlob: newBlob! };
    const letter = code![0] ?? "";
    const status = STATUS[letter];
    if (!status) throw new LocalFactsError(`git reported a change of an unexpected kind (${JSON.stringify(code)})`);
    if (letter === "R" || letter === "C") {
      const previousPath = tokens[i++];
      const path = tokens[i++];
      if (previousPath === undefined || path === undefined) throw new LocalFactsError("git's list of renamed files ended early");
      entries.push({ status, path, previousPath, patches: 1, ...blobs });
    } else {
      const path = tokens[i++];
      if (path === undefined) throw new LocalFactsError("git's list of changed files ended early");
      entries.push({ status, path, patches: letter === "T" ? 2 : 1, ...blobs });
    }
  }
  return entries;
}

/** The per-file parts of a `git diff -p`: each begins with a `diff --git` line (content lines never do: they carry a prefix). */
function splitPatch(output: string): string[][] {
  const chunks: string[][] = [];
  for (const line of output.split("\n")) {
    if (line.startsWith("diff --git ")) chunks.push([]);
    chunks.at(-1)?.push(line);
  }
  return chunks;
}

function changedFile(entry: NameStatus, chunk: readonly string[]): ChangedFile {
  const file: ChangedFile = {
    path: entry.path,
    ...(entry.previousPath !== undefined ? { previousPath: entry.previousPath } : {}),
    status: entry.status,
    additions: 0,
    deletions: 0,
  };
  // Blob ids as GitHub lists them (`sha`), and the one before, which proves a rename or copy without a diff unchanged.
  if (!/^0+$/.test(entry.newBlob)) file.sha = entry.newBlob;
  if (!/^0+$/.test(entry.oldBlob)) file.previousSha = entry.oldBlob;
  const firstHunk = chunk.findIndex((line) => line.startsWith("@@"));
  const binary = chunk.some((line, i) => (firstHunk < 0 || i < firstHunk) && (line.startsWith("Binary files ") || line === "GIT binary patch"));
  if (binary || firstHunk < 0) return file;
  const hunks = chunk.slice(firstHunk);
  while (hunks.length > 0 && hunks.at(-1) === "") hunks.pop();
  for (const line of hunks) {
    if (line.startsWith("+")) file.additions += 1;
    else if (line.startsWith("-")) file.deletions += 1;
  }
  file.patch = hunks.join("\n");
  return file;
}
