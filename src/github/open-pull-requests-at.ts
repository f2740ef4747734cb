import { GitHubFactsError, step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** Open pull requests examined per commit at most where only a few need looking at (an approved workflow change). */
export const MAX_PULL_REQUESTS_AT_COMMIT = 5;

/** Pages of pull requests associated with one commit that are read; more fails closed. */
const MAX_PAGES = 5;

/**
 * The open pull requests of this repository whose head is exactly `sha`
 * (looked up by commit, not by branch name, so one from a fork or from
 * another branch with the same head is found too), lowest number first.
 * GitHub also lists pull requests that merely contain the commit; those are
 * left out. Every page is read: a commit's one verdict needs all of them, so
 * more than 500 associated pull requests fail closed instead of being cut.
 */
export async function openPullRequestsAt(octokit: Octokit, repo: RepoRef, sha: string): Promise<number[]> {
  const what = `list the pull requests of commit ${sha.slice(0, 7)}`;
  let pages = 0;
  let more = false;
  const pulls = await step(what, () =>
    octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { owner: repo.owner, repo: repo.repo, commit_sha: sha, per_page: 100 }, (response, done) => {
      if (++pages >= MAX_PAGES) {
        more = response.data.length === 100;
        done();
      }
      return response.data;
    }),
  );
  if (more) throw new GitHubFactsError(what, { cause: new Error(`more than ${MAX_PAGES * 100} pull requests are associated with it`) });
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  const head = sha.toLowerCase();
  const numbers = pulls
    .filter((pr) => pr.state === "open" && pr.head?.sha?.toLowerCase() === head && (pr.base?.repo?.full_name ?? fullName).toLowerCase() === fullName)
    .map((pr) => pr.number);
  return [...new Set(numbers)].sort((a, b) => a - b);
}
