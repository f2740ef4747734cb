import type { ChangedFile, CommitFact } from "../engine/types.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { changedFileOf, commitFactOf } from "./pull-request-facts.js";

/** The compare API lists at most 300 files per response, and never more than 3000 in all. */
export const COMPARE_FILES_PER_PAGE = 300;
export const COMPARE_MAX_FILES = 3000;
/** Pages of 100 commits read at most (3000 commits); a longer range is reported incomplete. */
export const COMPARE_MAX_PAGES = 30;

export interface ComparedChanges {
  commits: CommitFact[];
  files: ChangedFile[];
  /** False when the range has more commits than were listed. */
  commitsComplete: boolean;
  /** False when GitHub may have left files out: it gives no file total, so a full page of files is taken as cut short. */
  filesComplete: boolean;
  /** The commit `files` were diffed from: the merge base of `base` and `head`. */
  mergeBase: string;
}

/**
 * The commits and files of `base...head` (what `head` adds since the merge
 * base), from the compare API, paged with `per_page=100&page=N`.
 *
 * GitHub documents that a paged compare lists files on the first page only,
 * at most 300; some responses list further files on later pages. Both are
 * handled: files are collected from every page (first listing of a path
 * wins) and paging continues while a page is full of commits or of files.
 * The file list counts as complete only when the last page that listed files
 * listed fewer than 300 and fewer than 3000 were listed in all. Any failure
 * is a `GitHubFactsError`.
 */
export async function compareChanges(octokit: Octokit, repo: RepoRef, range: { base: string; head: string }): Promise<ComparedChanges> {
  const basehead = `${range.base}...${range.head}`;
  const label = `${range.base}...${range.head.slice(0, 7)}`;
  const commits: CommitFact[] = [];
  const files = new Map<string, ChangedFile>();
  let totalCommits = 0;
  let lastFilesPage = 0;
  let mergeBase = range.base;
  for (let page = 1; page <= COMPARE_MAX_PAGES; page++) {
    const { data } = await step(`compare ${label} (page ${page})`, () =>
      octokit.rest.repos.compareCommitsWithBasehead({ owner: repo.owner, repo: repo.repo, basehead, per_page: 100, page }),
    );
    totalCommits = data.total_commits;
    if (page === 1) mergeBase = data.merge_base_commit?.sha ?? range.base;
    for (const commit of data.commits) commits.push(commitFactOf(commit));
    const pageFiles = data.files ?? [];
    if (pageFiles.length > 0) lastFilesPage = pageFiles.length;
    for (const f of pageFiles) {
      if (files.has(f.filename)) continue;
      files.set(f.filename, changedFileOf(f));
    }
    const moreCommits = data.commits.length >= 100 && commits.length < totalCommits;
    const moreFiles = pageFiles.length >= COMPARE_FILES_PER_PAGE && files.size < COMPARE_MAX_FILES;
    if (!moreCommits && !moreFiles) break;
  }
  return {
    commits,
    files: [...files.values()],
    commitsComplete: commits.length >= totalCommits,
    filesComplete: lastFilesPage < COMPARE_FILES_PER_PAGE && files.size < COMPARE_MAX_FILES,
    mergeBase,
  };
}
