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

/** Whether a push is GitHub merging a pull request, and if not, why not (for the log). */
export type MergeCheck = { pullRequest: number } | { notMerge: string };

/**
 * Is this push GitHub's own merge of a pull request into `branch`? Only
 * facts an assistant cannot forge count:
 * - a pull request merged into `branch` (its base), whose merge commit is
 *   the pushed head: a pull request merged into another branch does not
 *   make its merge commit a merge into this one;
 * - the head is not the pull request's own head: fast-forwarding a branch
 *   onto a pull request's head makes GitHub mark it merged too;
 * - GitHub created the head (`headCreatedByGitHub`: committed by its
 *   `web-flow` account with a signature GitHub verified): a merge made
 *   locally and pushed is marked merged too, but is nobody's review;
 * - the push's sender is who merged it (`merged_by`; the merge queue's bot
 *   for a merge queue): not someone re-pushing an old merge commit.
 * A rebase merge fails the third test (GitHub does not sign rebased
 * commits): it is judged as the push it looks like. A push that is not a
 * merge is never taken for one when GitHub cannot answer: failures are
 * `GitHubFactsError`s for the caller to fail closed on.
 */
export async function githubMergeOf(
  octokit: Octokit,
  repo: RepoRef,
  push: { branch: string; sha: string; senderId: number | undefined; headCreatedByGitHub: boolean },
): Promise<MergeCheck> {
  const short = push.sha.slice(0, 7);
  const { data } = await step(`list the pull requests of commit ${short}`, () =>
    octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: repo.owner, repo: repo.repo, commit_sha: push.sha }),
  );
  const merged = data.filter((pr) => pr.merged_at && pr.merge_commit_sha === push.sha);
  if (merged.length === 0) return { notMerge: `${short} is no pull request's merge commit` };
  const candidate = merged.find((pr) => pr.base.ref === push.branch);
  if (!candidate) return { notMerge: `${short} merged pull request #${merged[0]!.number} into ${merged[0]!.base.ref}, not into ${push.branch}` };
  if (candidate.head.sha === push.sha) return { notMerge: `${short} is the head of pull request #${candidate.number}: a fast-forward, not GitHub's merge` };
  if (!push.headCreatedByGitHub) return { notMerge: `${short} was not created and signed by GitHub, so it is not GitHub's merge of pull request #${candidate.number}` };
  const { data: pull } = await step(`read pull request #${candidate.number}`, () =>
    octokit.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: candidate.number }),
  );
  if (!pull.merged || pull.merge_commit_sha !== push.sha || pull.base.ref !== push.branch) {
    return { notMerge: `pull request #${pull.number} does not say it was merged into ${push.branch} as ${short}` };
  }
  if (push.senderId === undefined || pull.merged_by?.id !== push.senderId) {
    return { notMerge: `pull request #${pull.number} was merged by ${pull.merged_by?.login ?? "nobody known"}, not by whoever pushed ${short}` };
  }
  return { pullRequest: pull.number };
}
