import type { Actor, Identity } from "../engine/types.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

interface Account {
  login: string;
  id: number;
  type?: string;
}

/** The fields of a workflow run the app uses: the webhook's `workflow_run` and the REST run both have them. */
export interface WorkflowRunSummary {
  id: number;
  path: string;
  /** The workflow's name, and the run's title (its commit's first line, by default) and number, as GitHub shows them. */
  name?: string | null;
  display_title?: string;
  run_number?: number;
  /** `queued`, `waiting` (for a deployment's approval), `in_progress`, … */
  status?: string | null;
  html_url: string;
  head_sha: string;
  head_branch: string | null;
  /** The repository holding the run's branch (a fork's, for a fork's pull request). */
  head_repository?: { full_name: string } | null;
  actor?: Account | null;
  triggering_actor?: Account | null;
  head_commit?: { author?: { name?: string | null; email?: string | null } | null } | null;
}

/**
 * Who a workflow run names: its `actor` (whose event started it) and
 * `triggering_actor` (who started this attempt, e.g. a re-run), and the head
 * commit's author (a git identity: evidence only, see `triggeringAgents`).
 */
export function workflowRunActors(run: WorkflowRunSummary): Actor[] {
  const actors: Actor[] = [];
  if (run.actor) actors.push({ role: "workflow_actor", identity: account(run.actor) });
  if (run.triggering_actor) actors.push({ role: "triggering_actor", identity: account(run.triggering_actor) });
  const author = run.head_commit?.author;
  if (author && (author.name || author.email)) {
    const identity: Identity = {};
    if (author.name) identity.name = author.name;
    if (author.email) identity.email = author.email;
    actors.push({ role: "commit_author", identity, commit: run.head_sha });
  }
  return actors;
}

export function account(user: Account): Identity {
  return user.type ? { login: user.login, id: user.id, type: user.type } : { login: user.login, id: user.id };
}

/** The workflow run behind a deployment: the deployment event does not say who started it. */
export async function readWorkflowRun(octokit: Octokit, repo: RepoRef, runId: number): Promise<WorkflowRunSummary> {
  const { data } = await step(`read workflow run ${runId}`, () => octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId }));
  return data;
}
