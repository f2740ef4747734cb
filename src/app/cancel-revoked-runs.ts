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
import type { CancelledRun } from "../report/cancelled-runs.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";
import { respondToRun } from "./respond-to-run.js";

/** What ending an agent's authority did to the repository's runs. */
export interface RevokedRuns {
  /** Runs cancelled (or found already finished), lowest id first. */
  cancelled: number[];
  /** Every run acted on (or, in audit mode, that would have been), with what became of it: the lines of the checks that report them. */
  runs: CancelledRun[];
  /** True when more runs were active than could be listed. */
  truncated: boolean;
}

/** Cancelling some of the runs failed; what was done is in `revoked`, the first failure is the cause. */
export class RevokedRunsError extends Error {
  readonly revoked: RevokedRuns;

  constructor(revoked: RevokedRuns, options: { cause: unknown }) {
    super(options.cause instanceof Error ? options.cause.message : String(options.cause), options);
    this.name = "RevokedRunsError";
    this.revoked = revoked;
  }
}

/**
 * Cancels the queued, waiting and in-progress workflow runs started by an
 * agent whose grant has ended (`suspended: true`, or past `expires`), as the
 * `workflow_run` handler would have cancelled them had they started now: who
 * started a run is its `actor` and `triggering_actor`, matched by account id.
 * A run waiting for a deployment's approval is cancelled too, so its pending
 * deployment never goes out (and `deployment_protection_rule` rejects it in
 * any case). Each run is one audit record (`response: cancel_workflow_run`)
 * and one entry of `runs`, which the re-evaluation that follows shows in the
 * check of the pull request the run belongs to.
 * Enforce mode only; in audit mode each is recorded as what would have been
 * done. Nothing is listed when no agent's grant has ended. A cancellation
 * that failed is recorded, the others go on, and a `RevokedRunsError`
 * carrying every run ends it.
 */
export async function cancelRevokedAgentRuns(
  octokit: Octokit,
  log: Logger,
  deps: AppDependencies,
  input: { repo: RepoRef; loaded: LoadedPolicy; policy: Policy; audit: AuditContext },
): Promise<RevokedRuns> {
  const now = deps.clock();
  const revoked = Object.entries(input.policy.agents).filter(([, agent]) => agent.suspended || (agent.expires !== undefined && isExpired(agent.expires, now)));
  if (revoked.length === 0) return { cancelled: [], runs: [], truncated: false };
  const { runs, more } = await listActiveWorkflowRuns(octokit, input.repo);
  const policy = { source: input.loaded.source, path: input.loaded.path, ref: input.loaded.ref, ...(input.loaded.sha ? { sha: input.loaded.sha } : {}) };
  const cancelled: number[] = [];
  const lines: CancelledRun[] = [];
  let failure: unknown;
  for (const run of runs) {
    const agents = triggeringAgents(input.policy, workflowRunActors(run));
    if (agents.length === 0) continue;
    const decision = decideWorkflowRun(input.policy, { agents, workflowPath: run.path }, { now });
    const ended = decision.findings.filter((f) => f.ruleId === "agent-suspended" || f.ruleId === "agent-expired");
    if (ended.length === 0) continue;
    const line: Omit<CancelledRun, "outcome"> = {
      id: run.id,
      workflow: run.path,
      url: run.html_url,
      headSha: run.head_sha,
      headBranch: run.head_branch,
      ...(run.head_repository?.full_name ? { headRepository: run.head_repository.full_name } : {}),
      ...(run.name ? { name: run.name } : {}),
      ...(run.display_title ? { title: run.display_title } : {}),
      ...(run.run_number !== undefined ? { runNumber: run.run_number } : {}),
      waitingForDeployment: run.status === "waiting",
      why: ended.map((f) => f.message).join(" "),
    };
    try {
      const outcome = await respondToRun(octokit, log, deps.audit, input.repo, run, input.audit, {
        decision,
        cancel: decision.mode === "enforce",
        policy,
        policyValid: true,
        log: { revoked: true },
      });
      cancelled.push(run.id);
      lines.push({ ...line, outcome: outcome ?? "audit_mode" });
    } catch (error) {
      log.error({ err: error, workflowRunId: run.id }, "could not cancel a revoked agent's workflow run");
      lines.push({ ...line, outcome: "failed", error: failureReason(error) });
      failure ??= error;
    }
  }
  if (more) log.warn({ repository: `${input.repo.owner}/${input.repo.repo}` }, "more active workflow runs than could be listed; the rest are cancelled when they request again");
  const result = { cancelled, runs: lines, truncated: more };
  if (failure !== undefined) throw new RevokedRunsError(result, { cause: failure });
  return result;
}
