import type { Logger } from "probot";
import type { AuditContext } from "../audit/audit-record.js";
import { decideWorkflowRun } from "../engine/decide-workflow-run.js";
import { isExpired } from "../engine/expiry.js";
import { triggeringAgents } from "../engine/triggering-agents.js";
import type { Policy } from "../engine/types.js";
import { listActiveWorkflowRuns } from "../github/active-workflow-runs.js";
import type { LoadedPolicy } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { workflowRunActors } from "../github/workflow-run.js";
import type { AppDependencies } from "./dependencies.js";
import { respondToRun } from "./respond-to-run.js";

/** What ending an agent's authority did to the repository's runs. */
export interface RevokedRuns {
  /** Runs cancelled (or found already finished), lowest id first. */
  cancelled: number[];
  /** True when more runs were active than could be listed. */
  truncated: boolean;
}

/**
 * Cancels the queued, waiting and in-progress workflow runs started by an
 * agent whose grant has ended (`suspended: true`, or past `expires`), as the
 * `workflow_run` handler would have cancelled them had they started now: who
 * started a run is its `actor` and `triggering_actor`, matched by account id.
 * A run waiting for a deployment's approval is cancelled too, so its pending
 * deployment never goes out (and `deployment_protection_rule` rejects it in
 * any case). Each run is one audit record (`response: cancel_workflow_run`).
 * Enforce mode only; in audit mode each is recorded as what would have been
 * done. Nothing is listed when no agent's grant has ended.
 */
export async function cancelRevokedAgentRuns(
  octokit: Octokit,
  log: Logger,
  deps: AppDependencies,
  input: { repo: RepoRef; loaded: LoadedPolicy; policy: Policy; audit: AuditContext },
): Promise<RevokedRuns> {
  const now = deps.clock();
  const revoked = Object.entries(input.policy.agents).filter(([, agent]) => agent.suspended || (agent.expires !== undefined && isExpired(agent.expires, now)));
  if (revoked.length === 0) return { cancelled: [], truncated: false };
  const { runs, more } = await listActiveWorkflowRuns(octokit, input.repo);
  const policy = { source: input.loaded.source, path: input.loaded.path, ref: input.loaded.ref, ...(input.loaded.sha ? { sha: input.loaded.sha } : {}) };
  const cancelled: number[] = [];
  let failure: unknown;
  for (const run of runs) {
    const agents = triggeringAgents(input.policy, workflowRunActors(run));
    if (agents.length === 0) continue;
    const decision = decideWorkflowRun(input.policy, { agents, workflowPath: run.path }, { now });
    if (!decision.findings.some((f) => f.ruleId === "agent-suspended" || f.ruleId === "agent-expired")) continue;
    try {
      await respondToRun(octokit, log, deps.audit, input.repo, run, input.audit, {
        decision,
        cancel: decision.mode === "enforce",
        policy,
        policyValid: true,
        log: { revoked: true },
      });
      cancelled.push(run.id);
    } catch (error) {
      log.error({ err: error, workflowRunId: run.id }, "could not cancel a revoked agent's workflow run");
      failure ??= error;
    }
  }
  if (more) log.warn({ repository: `${input.repo.owner}/${input.repo.repo}` }, "more active workflow runs than could be listed; the rest are cancelled when they request again");
  if (failure !== undefined) throw failure;
  return { cancelled, truncated: more };
}
