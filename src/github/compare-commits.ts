import type { CommitFact } from "../engine/types.js";
import { COMPARE_MAX_PAGES } from "./compare-facts.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { commitFactOf } from "./pull-request-facts.js";

/**
 * GitHub's own account (`web-flow`): the committer of the commits GitHub
 * creates and signs itself — merge commits and squashes of pull requests,
 * edits in the web editor.
 */
export const WEB_FLOW_ID = 19864447;

export interface ComparedCommits {
  commits: CommitFact[];
  /** False when GitHub counts more commits in the range than were listed. */
  complete: boolean;
  /** How many commits GitHub counts in the range. */
  total: number;
  /** The listed commits GitHub created itself (see `createdByGitHub`). */
  createdByGitHub: ReadonlySet<string>;
}

interface ListedCommit {
  sha: string;
  commit: {
    message: string;
    author?: { name?: string | null; email?: string | null } | null;
    committer?: { name?: string | null; email?: string | null } | null;
    verification?: { verified?: boolean } | null;
  };
  author?: { login?: string | null; id?: number | null; type?: string | null } | null;
  committer?: { login?: string | null; id?: number | null; type?: string | null } | null;
}

/**
 * Every commit of `base...head`: those reachable from `head` and not from
 * `base`, i.e. what moving a branch from `base` to `head` adds to it. Paged
 * with `per_page=100&page=N` (a paged compare lists commits past the 250 of
 * an unpaged one) for at most `maxPages` pages; a longer range comes back
 * incomplete, never cut silently. Files are not read. Any failure is a
 * `GitHubFactsError`.
 */
export async function compareCommits(
  octokit: Octokit,
  repo: RepoRef,
  range: { base: string; head: string },
  maxPages = COMPARE_MAX_PAGES,
): Promise<ComparedCommits> {
  const basehead = `${range.base}...${range.head}`;
  const label = `${short(range.base)}...${short(range.head)}`;
  const commits: CommitFact[] = [];
  const signed = new Set<string>();
  let total = 0;
  for (let page = 1; page <= maxPages; page++) {
    const { data } = await step(`compare the commits of ${label} (page ${page})`, () =>
      octokit.rest.repos.compareCommitsWithBasehead({ owner: repo.owner, repo: repo.repo, basehead, per_page: 100, page }),
    );
    total = data.total_commits;
    for (const listed of data.commits as ListedCommit[]) {
      commits.push(commitFactOf(listed));
      if (createdByGitHub(listed)) signed.add(listed.sha);
    }
    if (data.commits.length < 100 || commits.length >= total) break;
  }
  return { commits, complete: commits.length >= total, total, createdByGitHub: signed };
}

/**
 * True only for a commit GitHub made itself: committed by its `web-flow`
 * account with a signature GitHub verified. Anyone can write "GitHub
 * <noreply@github.com>" as a commit's committer, but only GitHub holds the key
 * that signs as it; a rebase merge is not signed by GitHub, so it is not one.
 */
function createdByGitHub(listed: ListedCommit): boolean {
  return listed.committer?.id === WEB_FLOW_ID && listed.commit.verification?.verified === true;
}

/** A SHA shortened to 7 characters; a branch name as it is. */
function short(ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref;
}
