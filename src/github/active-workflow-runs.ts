import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import type { WorkflowRunSummary } from "./workflow-run.js";

/** The run states in which a run can still act: waiting to start, running, or held for a deployment's approval. */
export const ACTIVE_RUN_STATUSES = ["requested", "queued", "pending", "waiting", "in_progress"] as const;

/** Pages of 100 runs read per status; beyond them the listing says it is cut. */
const MAX_PAGES = 3;

/** The repository's workflow runs that have not finished, each once, and whether more exist than were read. */
export async function listActiveWorkflowRuns(octokit: Octokit, repo: RepoRef): Promise<{ runs: WorkflowRunSummary[]; more: boolean }> {
  const runs = new Map<number, WorkflowRunSummary>();
  let more = false;
  for (const status of ACTIVE_RUN_STATUSES) {
    let pages = 0;
    const listed = await step(`list the ${status} workflow runs`, () =>
      octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, { ...repo, status, per_page: 100 }, (response, done) => {
        if (++pages >= MAX_PAGES) {
          if (/rel="next"/.test(response.headers.link ?? "")) more = true;
          done();
        }
        return response.data as unknown as WorkflowRunSummary[];
      }),
    );
    for (const run of listed) if (!runs.has(run.id)) runs.set(run.id, run);
  }
  return { runs: [...runs.values()].sort((a, b) => a.id - b.id), more };
}
