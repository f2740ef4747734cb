import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** Open pull requests examined per commit at most: one commit is rarely the head of more than one or two. */
export const MAX_PULL_REQUESTS_AT_COMMIT = 5;

/**
 * The open pull requests of this repository whose head is exactly `sha`
 * (looked up by commit, not by branch name), lowest number first. GitHub
 * also lists pull requests that merely contain the commit; those are left out.
 */
export async function openPullRequestsAt(octokit: Octokit, repo: RepoRef, sha: string): Promise<number[]> {
  const { data } = await step(`list the pull requests of commit ${sha.slice(0, 7)}`, () =>
    octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: repo.owner, repo: repo.repo, commit_sha: sha, per_page: 100 }),
  );
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  return data
    .filter((pr) => pr.state === "open" && pr.head.sha === sha && pr.base.repo.full_name.toLowerCase() === fullName)
    .map((pr) => pr.number)
    .sort((a, b) => a - b)
    .slice(0, MAX_PULL_REQUESTS_AT_COMMIT);
}
