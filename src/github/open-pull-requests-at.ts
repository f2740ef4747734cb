import { GitHubFactsError, step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** Open pull requests examined per commit at most where only a few need looking at (an approved workflow change). */
export const MAX_PULL_REQUESTS_AT_COMMIT = 5;

/** Pages of pull requests associated with one commit that are read for its verdict; more fails closed. */
const MAX_PAGES = 5;

/** A pull request as GitHub lists it among a commit's. */
export type AssociatedPullRequest = Awaited<ReturnType<Octokit["rest"]["repos"]["listPullRequestsAssociatedWithCommit"]>>["data"][number];

/**
 * The pull requests of this repository (by base, so one from a fork is
 * included) that GitHub associates with a commit, whatever their state.
 * At most `maxPages` pages of 100 are read; a listing that goes on past them
 * (a next page, or a full last page) is a `GitHubFactsError`, so a caller
 * that needs all of them fails closed instead of deciding on a part.
 */
export async function pullRequestsAtCommit(octokit: Octokit, repo: RepoRef, sha: string, maxPages: number): Promise<AssociatedPullRequest[]> {
  const what = `list the pull requests of commit ${sha.slice(0, 7)}`;
  let pages = 0;
  let more = false;
  const pulls = await step(what, () =>
    octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { owner: repo.owner, repo: repo.repo, commit_sha: sha, per_page: 100 }, (response, done) => {
      if (++pages >= maxPages) {
        more = /rel="next"/.test(response.headers.link ?? "") || response.data.length === 100;
        done();
      }
      return response.data;
    }),
  );
  if (more) throw new GitHubFactsError(what, { cause: new Error(`more than ${maxPages * 100} pull requests are associated with it`) });
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  return pulls.filter((pr) => (pr.base?.repo?.full_name ?? fullName).toLowerCase() === fullName);
}

/**
 * The open pull requests of this repository whose head is exactly `sha`
 * (looked up by commit, not by branch name, so one from a fork or from
 * another branch with the same head is found too), lowest number first.
 * GitHub also lists pull requests that merely contain the commit; those are
 * left out. Every page is read: a commit's one verdict needs all of them, so
 * more than 500 associated pull requests fail closed instead of being cut.
 */
export async function openPullRequestsAt(octokit: Octokit, repo: RepoRef, sha: string): Promise<number[]> {
  const head = sha.toLowerCase();
  const numbers = (await pullRequestsAtCommit(octokit, repo, sha, MAX_PAGES))
    .filter((pr) => pr.state === "open" && pr.head?.sha?.toLowerCase() === head)
    .map((pr) => pr.number);
  return [...new Set(numbers)].sort((a, b) => a - b);
}
