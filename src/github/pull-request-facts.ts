import type { Actor, ChangedFile, CommitFact, FileStatus, Identity, PullRequestFacts } from "../engine/types.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { withPullRequestPreviousBlobs } from "./previous-blobs.js";
import { gatherPullRequestWorkflowChanges } from "./workflow-changes.js";
import type { HeadBranch } from "./participant-facts.js";

export interface PullRequestSummary {
  number: number;
  headSha: string;
  htmlUrl: string;
  author: Identity;
  /** The branch its commits were pushed to; undefined when the head repository was deleted. */
  head: HeadBranch | undefined;
  /** Lower-case logins and `slug`s of the reviewers and teams already asked. */
  requestedUsers: string[];
  requestedTeams: string[];
}

interface AccountLike {
  login?: string | null;
  id?: number | null;
  type?: string | null;
}

interface GitPersonLike {
  name?: string | null;
  email?: string | null;
}

export function identityOf(account: AccountLike | null | undefined, person?: GitPersonLike | null): Identity {
  // Payload fields are checked, not trusted: a value of the wrong type is left out, never passed on.
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const identity: Identity = {};
  const login = text(account?.login);
  if (login) identity.login = login;
  if (typeof account?.id === "number") identity.id = account.id;
  const type = text(account?.type);
  if (type) identity.type = type;
  const name = text(person?.name);
  if (name) identity.name = name;
  const email = text(person?.email);
  if (email) identity.email = email;
  return identity;
}

const FILE_STATUSES: readonly FileStatus[] = ["added", "modified", "removed", "renamed", "copied", "changed", "unchanged"];

function fileStatus(status: string): FileStatus {
  // An unknown status is treated as a modification: every rule still sees the path.
  return (FILE_STATUSES as readonly string[]).includes(status) ? (status as FileStatus) : "modified";
}

/** A commit as the pulls and compare APIs list it: the GitHub accounts, and the git identities they were linked from. */
export function commitFactOf(c: {
  sha: string;
  commit: { message: string; author?: GitPersonLike | null; committer?: GitPersonLike | null };
  author?: AccountLike | null;
  committer?: AccountLike | null;
}): CommitFact {
  return {
    sha: c.sha,
    message: c.commit.message,
    author: identityOf(c.author, c.commit.author),
    committer: identityOf(c.committer, c.commit.committer),
  };
}

/** A changed file as the pulls and compare APIs list it; `patch` is absent when GitHub omits the diff. */
export function changedFileOf(f: {
  filename: string;
  previous_filename?: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
  sha?: string | null;
}): ChangedFile {
  return {
    path: f.filename,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    status: fileStatus(f.status),
    additions: f.additions,
    deletions: f.deletions,
    ...(typeof f.patch === "string" ? { patch: f.patch } : {}),
    ...(typeof f.sha === "string" ? { sha: f.sha } : {}),
  };
}

/** A pull request as `pulls.get` returns it. */
export type PullRequestData = Awaited<ReturnType<Octokit["rest"]["pulls"]["get"]>>["data"];

/** The pull request as GitHub sees it now (fresh, not the webhook's copy). */
export async function readPullRequest(octokit: Octokit, repo: RepoRef, number: number): Promise<PullRequestData> {
  const { data } = await step(`read pull request #${number}`, () => octokit.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number }));
  return data;
}

/**
 * Gathers the facts of a pull request as GitHub sees it now: the PR itself
 * (read with `readPullRequest`, or as the event's payload carries it, when
 * `headIsTip` then confirms that the commits listed end at its head), every listed
 * file and every listed commit, and both versions of each changed workflow
 * and action file (see `gatherPullRequestWorkflowChanges`), and the earlier
 * blob of each file listed without a diff that had one (see `withPullRequestPreviousBlobs`). Pages through the REST API; any failure is a
 * `GitHubFactsError` and the caller fails closed.
 */
export async function gatherPullRequestFacts(
  octokit: Octokit,
  repo: RepoRef,
  pr: PullRequestData,
  input: { /** The event sender, when it acted on the change (not a reviewer). */ sender?: AccountLike | null; policyPaths: string[] },
): Promise<{ facts: PullRequestFacts; pull: PullRequestSummary; headIsTip: boolean }> {
  const params = { owner: repo.owner, repo: repo.repo, pull_number: pr.number };
  const [files, commits] = await Promise.all([
    step(`list the files of pull request #${pr.number}`, () => octokit.paginate(octokit.rest.pulls.listFiles, { ...params, per_page: 100 })),
    step(`list the commits of pull request #${pr.number}`, () => octokit.paginate(octokit.rest.pulls.listCommits, { ...params, per_page: 100 })),
  ]);

  const author = identityOf(pr.user);
  const actors: Actor[] = [{ role: "pr_author", identity: author }];
  if (input.sender) actors.push({ role: "sender", identity: identityOf(input.sender) });

  const commitFacts = commits.map(commitFactOf);
  const listed = files.map(changedFileOf);
  const range = { baseSha: pr.base.sha, headSha: pr.head.sha };
  const [changedFiles, workflowChanges] = await Promise.all([
    withPullRequestPreviousBlobs(octokit, repo, { files: listed, ...range }),
    gatherPullRequestWorkflowChanges(octokit, repo, { files: listed, ...range }),
  ]);

  const facts: PullRequestFacts = {
    kind: "pull_request",
    repository: { owner: repo.owner, name: repo.repo, defaultBranch: pr.base.repo.default_branch },
    number: pr.number,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    actors,
    commits: commitFacts,
    commitsComplete: commitFacts.length >= pr.commits,
    files: changedFiles,
    changedFiles: Math.max(pr.changed_files, changedFiles.length),
    policyPaths: input.policyPaths,
    workflowChanges,
  };
  const pull: PullRequestSummary = {
    number: pr.number,
    headSha: pr.head.sha,
    htmlUrl: pr.html_url,
    author,
    head: pr.head.repo ? { owner: pr.head.repo.owner.login, repo: pr.head.repo.name, ref: pr.head.ref } : undefined,
    requestedUsers: (pr.requested_reviewers ?? []).map((u) => u.login.toLowerCase()),
    requestedTeams: (pr.requested_teams ?? []).map((t) => t.slug.toLowerCase()),
  };
  return { facts, pull, headIsTip: listedTip(commits, pr.head.sha) };
}

/** GitHub lists at most this many commits of a pull request; a listing this long may not reach its head. */
export const MAX_LISTED_COMMITS = 250;

/**
 * True when the commits listed end at `head` and none of them has `head` as
 * a parent, in a listing short enough to be complete: the pull request's
 * head was `head` when its commits were listed. A head that moved on (a
 * later push lists `head` with a child after it, whatever the commit dates
 * say) or was replaced (a force push does not list it) gives false.
 */
export function listedTip(commits: readonly { sha: string; parents?: readonly { sha: string }[] | null }[], head: string): boolean {
  const sha = head.toLowerCase();
  if (commits.length === 0 || commits.length >= MAX_LISTED_COMMITS) return false;
  if (commits.at(-1)!.sha.toLowerCase() !== sha) return false;
  return !commits.some((c) => (c.parents ?? []).some((p) => p.sha.toLowerCase() === sha));
}
