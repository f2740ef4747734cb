import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/**
 * The number of an open pull request whose head is `branch` of this
 * repository, if any. Such a push is judged by that pull request's own
 * evaluation (its `synchronize` event): a second "Agent Policy" run on the
 * same head commit, judging only the pushed increment, could otherwise
 * replace the pull request's result.
 */
export async function openPullRequestFrom(octokit: Octokit, repo: RepoRef, branch: string): Promise<number | undefined> {
  const { data } = await step(`list the open pull requests from ${branch}`, () =>
    octokit.rest.pulls.list({ owner: repo.owner, repo: repo.repo, state: "open", head: `${repo.owner}:${branch}`, per_page: 1 }),
  );
  return data[0]?.number;
}

/**
 * The number of the merged pull request whose merge commit is `sha`, if any:
 * then the push is GitHub merging that pull request (merge, squash or rebase),
 * which is judged as a merge (`merge-by-agent`), not as a push.
 */
export async function mergedPullRequestOf(octokit: Octokit, repo: RepoRef, sha: string): Promise<number | undefined> {
  const { data } = await step(`list the pull requests of commit ${sha.slice(0, 7)}`, () =>
    octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: repo.owner, repo: repo.repo, commit_sha: sha }),
  );
  return data.find((pr) => pr.merged_at && pr.merge_commit_sha === sha)?.number;
}
