import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** Comments are capped: GitHub documents no limit for this field, and a decision can name many findings. */
const MAX_COMMENT = 1000;

export interface DeploymentReview {
  runId: number;
  environment: string;
  /** Absent: a comment only, which leaves the deployment waiting (how a hold explains itself). */
  state?: "approved" | "rejected";
  comment: string;
}

/**
 * Answers this app's deployment protection rule for one environment of a run
 * ("Review custom deployment protection rules for a workflow run"; 204).
 * Only the app that owns the rule can answer it.
 */
export async function reviewDeployment(octokit: Octokit, repo: RepoRef, review: DeploymentReview): Promise<void> {
  const comment = review.comment.length > MAX_COMMENT ? `${review.comment.slice(0, MAX_COMMENT - 1)}…` : review.comment;
  const what = review.state === "approved" ? "approve" : review.state === "rejected" ? "reject" : "comment on";
  await step(`${what} the deployment of run ${review.runId} to ${review.environment}`, () =>
    octokit.rest.actions.reviewCustomGatesForRun({
      ...repo,
      run_id: review.runId,
      environment_name: review.environment,
      comment,
      ...(review.state ? { state: review.state } : {}),
    }),
  );
}
