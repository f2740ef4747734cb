import type { Logger } from "probot";
import type { ActiveGrant } from "../engine/grants/decide-grants.js";
import { grantsWidening } from "../engine/grants/grants-for-run.js";
import type { AgentActivity, Policy } from "../engine/types.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { readRunGrants } from "../github/run-grant-facts.js";
import type { WorkflowRunSummary } from "../github/workflow-run.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";

/** What the grants of a run's pull request do for the run. */
export interface RunGrants {
  /** The pull request the run belongs to, when one does. */
  pullRequest?: number;
  /** The grants in force there that widen `kind` for an agent that triggered the run. */
  applied: ActiveGrant[];
  /** Why no pull request's grants reach the run. */
  none?: string;
  /** The grants could not be read: the run is judged without them (stricter, never looser). */
  error?: string;
}

/**
 * The task-scoped grants that reach a workflow run, or the deployment it asks
 * for: those of the one open pull request the run belongs to (see
 * `readRunGrants`), for the agents that triggered it, widening
 * `workflows` or `environments`. Never throws: a failure to read them is
 * `error`, and the caller judges the run on the policy alone.
 */
export async function grantsForRun(
  octokit: Octokit,
  log: Logger,
  deps: AppDependencies,
  input: { repo: RepoRef; policy: Policy; run: WorkflowRunSummary; agents: readonly AgentActivity[]; kind: "workflows" | "environments" },
): Promise<RunGrants> {
  const { run } = input;
  const keys = input.agents.filter((a) => a.declared).map((a) => a.key);
  try {
    const reading = await readRunGrants(octokit, input.repo, {
      policy: input.policy,
      run: { headSha: run.head_sha, headBranch: run.head_branch, headRepository: run.head_repository?.full_name },
      now: deps.clock(),
      ...(deps.appId ? { appId: deps.appId } : {}),
    });
    if ("none" in reading) {
      log.info({ workflowRunId: run.id, reason: reading.none }, "no pull request's grants reach this run");
      return { applied: [], none: reading.none };
    }
    return { pullRequest: reading.pullRequest, applied: grantsWidening(reading.active, keys, input.kind) };
  } catch (error) {
    log.warn({ err: error, workflowRunId: run.id }, "could not read the grants of the run's pull request; judging it without them");
    return { applied: [], error: `could not read the grants of the run's pull request: ${failureReason(error)}` };
  }
}
