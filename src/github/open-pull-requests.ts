import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** An open pull request and the commit its check sits on. */
export interface OpenPullRequest {
  number: number;
  headSha: string;
  /** Its head branch, and the repository holding it (`owner/name`; absent when that repository was deleted). */
  headRef?: string;
  headRepository?: string;
}

/** The open pull requests read, and whether there were more than `max`. */
export interface OpenPullRequestListing {
  pulls: OpenPullRequest[];
  /** True when pull requests beyond `max` exist: the caller must say so, never skip them silently. */
  more: boolean;
}

/**
 * The repository's open pull requests, least recently updated last
 * (GitHub's `sort=updated`, newest first), at most `max` of them, 100 per
 * page. Whether more exist is read from the last page's `next` link or from
 * a full page past the bound, so a cut listing is always known to be cut.
 */
export async function listOpenPullRequests(octokit: Octokit, repo: RepoRef, options: { max: number }): Promise<OpenPullRequestListing> {
  const pulls: OpenPullRequest[] = [];
  let more = false;
  await step("list the open pull requests", () =>
    octokit.paginate(octokit.rest.pulls.list, { ...repo, state: "open", sort: "updated", direction: "desc", per_page: 100 }, (response, done) => {
      for (const pr of response.data) {
        if (pulls.length >= options.max) {
          more = true;
          break;
        }
        pulls.push({ number: pr.number, headSha: pr.head.sha, headRef: pr.head.ref, ...(pr.head.repo?.full_name ? { headRepository: pr.head.repo.full_name } : {}) });
      }
      if (pulls.length >= options.max) {
        if (/rel="next"/.test(response.headers.link ?? "")) more = true;
        done();
      }
      return [];
    }),
  );
  return { pulls, more };
}
