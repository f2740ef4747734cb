import { step, statusOf } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** `cancelled`: GitHub accepted the cancellation (202); `already_completed`: the run had finished (409). */
export type CancelOutcome = "cancelled" | "already_completed";

/**
 * Cancels a workflow run. A 409 means the run already completed — a short CI
 * job can finish before the event is handled — which is an outcome to record,
 * not a failure; any other error is a `GitHubFactsError`.
 */
export async function cancelWorkflowRun(octokit: Octokit, repo: RepoRef, runId: number): Promise<CancelOutcome> {
  return step(`cancel workflow run ${runId}`, async () => {
    try {
      await octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId });
      return "cancelled" as const;
    } catch (error) {
      if (statusOf(error) === 409) return "already_completed" as const;
      throw error;
    }
  });
}
