import { step } from "../github/errors.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { readWorkflowRun } from "../github/workflow-run.js";
import { REPOSITORY, REPOSITORY_ADDRESS, RUN_ADDRESS, WORKFLOW_RUN, type ShapedEvent } from "./payload-shapes.js";

/**
 * Completes a malformed payload from GitHub's API where the payload still
 * names what is malformed: the repository (by owner and name) and, for a
 * `workflow_run` event, the run (by id). The API's copies have the fields
 * the event's have, so a run that must be cancelled is not waved through
 * because its event was damaged. Returns whether anything was read; a
 * failure to read is a `GitHubFactsError`, after which the caller does not
 * judge the event.
 */
export async function recoverPayload(event: ShapedEvent, octokit: Octokit, payload: unknown): Promise<boolean> {
  if (payload === null || typeof payload !== "object") return false;
  const target = payload as Record<string, unknown>;
  const address = REPOSITORY_ADDRESS.safeParse(target.repository);
  if (!address.success) return false;
  const repo: RepoRef = { owner: address.data.owner.login, repo: address.data.name };
  let recovered = false;
  if (!REPOSITORY.safeParse(target.repository).success) {
    const { data } = await step(`read repository ${repo.owner}/${repo.repo}`, () => octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo }));
    target.repository = data;
    recovered = true;
  }
  const run = RUN_ADDRESS.safeParse(target);
  if (event === "workflow_run" && !WORKFLOW_RUN.safeParse(target.workflow_run).success && run.success) {
    target.workflow_run = await readWorkflowRun(octokit, repo, run.data.workflow_run.id);
    recovered = true;
  }
  return recovered;
}
