/** Where a workflow run ran: its commit, its branch and the repository holding that branch. */
export interface RunHead {
  headSha: string;
  /** Null for a run on no branch (a tag). */
  headBranch: string | null;
  /** `owner/name` of the repository the branch is in (a fork's, for a fork); unknown when GitHub does not say. */
  headRepository?: string | undefined;
}

/** A pull request GitHub associates with the run's commit. */
export interface PullRequestHead {
  number: number;
  state: string;
  headSha: string;
  headRef: string;
  /** `owner/name` of its head repository; undefined when that repository was deleted. */
  headRepository?: string | undefined;
}

/** The one pull request a run belongs to, or why it belongs to none. */
export type RunPullRequest = { number: number } | { none: string };

/**
 * Which pull request's grants may reach a workflow run (or the deployment it
 * asks for). A grant is given on one pull request, so the run must be that
 * pull request's work and nobody else's: the run's commit is the open pull
 * request's head, on the same branch of the same repository. A commit alone
 * proves nothing (an agent can push a granted head to another branch, or open
 * a second pull request at the same commit), so a run on another branch gets
 * nothing, and a run whose branch and commit head more than one open pull
 * request is no single one's: then no grant reaches it. Branch names are
 * compared exactly, as git does; SHAs and repository names without case.
 */
export function pullRequestOfRun(run: RunHead, candidates: readonly PullRequestHead[]): RunPullRequest {
  const short = run.headSha.slice(0, 7);
  if (!run.headBranch) return { none: `the run at ${short} is on no branch` };
  if (!run.headRepository) return { none: "GitHub did not say which repository the run's branch is in" };
  const branch = run.headBranch;
  const repository = run.headRepository.toLowerCase();
  const sha = run.headSha.toLowerCase();
  const numbers = [
    ...new Set(
      candidates
        .filter((pr) => pr.state === "open" && pr.headSha.toLowerCase() === sha && pr.headRef === branch && pr.headRepository?.toLowerCase() === repository)
        .map((pr) => pr.number),
    ),
  ].sort((a, b) => a - b);
  if (numbers.length === 1) return { number: numbers[0]! };
  if (numbers.length === 0) return { none: `no open pull request has ${branch} at ${short} as its head` };
  const list = numbers.map((n) => `#${n}`).join(", ");
  return { none: `${numbers.length} open pull requests (${list}) have ${branch} at ${short} as their head, so the run is no single pull request's` };
}
