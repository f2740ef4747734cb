import type { ActiveGrant } from "../engine/grants/decide-grants.js";
import { pullRequestOfRun, type PullRequestHead, type RunHead } from "../engine/grants/run-pull-request.js";
import type { Policy } from "../engine/types.js";
import { step } from "./errors.js";
import { readGrants, type GrantChangeFacts } from "./grant-facts.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { pullRequestsAtCommit } from "./open-pull-requests-at.js";
import { commitFactOf, identityOf, readPullRequest, type PullRequestData } from "./pull-request-facts.js";

/** Pages of pull requests associated with the run's commit that are read; more fails closed (no grant). */
const MAX_PAGES = 3;

/** The grants of the one pull request a run belongs to, or why no pull request's grants reach it. */
export type RunGrantReading = { pullRequest: number; active: ActiveGrant[] } | { none: string };

/**
 * The task-scoped grants in force on the pull request a workflow run belongs
 * to (see `pullRequestOfRun`): the pull requests GitHub associates with the
 * run's commit, the chosen one read again (still open, still headed by the
 * run's branch and commit), then — only when it has comments — its commits
 * (who took part, which decides who may grant) and its grants, exactly as its
 * own check reads them (`readGrants`). Bounded: one listing of at most
 * `MAX_PAGES` pages, one read of the pull request, and the grant reads. Any
 * API failure is a `GitHubFactsError` (the caller judges without grants).
 */
export async function readRunGrants(octokit: Octokit, repo: RepoRef, input: { policy: Policy; run: RunHead; appId?: number; now: Date }): Promise<RunGrantReading> {
  const { run } = input;
  if (!run.headBranch || !run.headRepository) return { none: `the run at ${run.headSha.slice(0, 7)} is on no branch GitHub names` };
  const chosen = pullRequestOfRun(run, await pullRequestHeadsAt(octokit, repo, run.headSha));
  if ("none" in chosen) return chosen;
  const pr = await readPullRequest(octokit, repo, chosen.number);
  // The listing may lag behind: the pull request as it is now must still be open and headed by the run.
  const still = pullRequestOfRun(run, [headOf(pr)]);
  if ("none" in still) return { none: `pull request #${pr.number} is ${pr.state === "open" ? `no longer headed by ${run.headBranch} at ${run.headSha.slice(0, 7)}` : pr.state}` };
  if ((pr.comments ?? 0) === 0) return { pullRequest: pr.number, active: [] };
  const commits = await step(`list the commits of pull request #${pr.number}`, () =>
    octokit.paginate(octokit.rest.pulls.listCommits, { owner: repo.owner, repo: repo.repo, pull_number: pr.number, per_page: 100 }),
  );
  const facts: GrantChangeFacts = {
    number: pr.number,
    actors: [{ role: "pr_author", identity: identityOf(pr.user) }],
    commits: commits.map(commitFactOf),
    commitsComplete: commits.length >= pr.commits,
  };
  const head = pr.head.repo ? { owner: pr.head.repo.owner.login, repo: pr.head.repo.name, ref: pr.head.ref } : undefined;
  const reading = await readGrants(octokit, repo, { policy: input.policy, facts, head, now: input.now, ...(input.appId !== undefined ? { appId: input.appId } : {}) });
  return { pullRequest: pr.number, active: reading.ledger.active };
}

function headOf(pr: PullRequestData): PullRequestHead {
  return { number: pr.number, state: pr.state, headSha: pr.head.sha, headRef: pr.head.ref, headRepository: pr.head.repo?.full_name };
}

/** The pull requests of this repository GitHub associates with a commit, as heads to match a run against. */
async function pullRequestHeadsAt(octokit: Octokit, repo: RepoRef, sha: string): Promise<PullRequestHead[]> {
  return (await pullRequestsAtCommit(octokit, repo, sha, MAX_PAGES)).map((pr) => ({
    number: pr.number,
    state: pr.state,
    headSha: pr.head?.sha ?? "",
    headRef: pr.head?.ref ?? "",
    headRepository: pr.head?.repo?.full_name,
  }));
}
