import type { Logger } from "probot";
import { auditGrantOf, decisionAuditRecord, type AuditContext } from "../audit/audit-record.js";
import type { AuditTrail } from "../audit/audit-trail.js";
import type { ActiveGrant } from "../engine/grants/decide-grants.js";
import type { Decision, RuleId } from "../engine/types.js";
import { cancelWorkflowRun, type CancelOutcome } from "../github/cancel-workflow-run.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import type { WorkflowRunSummary } from "../github/workflow-run.js";

/** What to do about one workflow run, and what the audit record says about it. */
export interface Respond {
  decision: Decision;
  cancel: boolean;
  policy: { source: "repository" | "built-in"; path: string; ref: string; sha?: string };
  policyValid: boolean;
  error?: string;
  ruleId?: RuleId;
  /** The pull request the run belongs to, when its grants were read. */
  pullRequest?: number;
  /** The task-scoped grants that widened the run's scope. */
  grants?: readonly ActiveGrant[];
  /** Fields for the audit log line beside the record. */
  log?: object;
}

/** Cancels when asked, then writes the one audit record (also when cancelling failed, before the error escapes); says what cancelling did. */
export async function respondToRun(
  octokit: Octokit,
  log: Logger,
  trail: AuditTrail,
  repo: RepoRef,
  run: WorkflowRunSummary,
  context: AuditContext,
  input: Respond,
): Promise<CancelOutcome | undefined> {
  let outcome: CancelOutcome | undefined;
  let cancelError: unknown;
  if (input.cancel) {
    try {
      outcome = await cancelWorkflowRun(octokit, repo, run.id);
    } catch (error) {
      cancelError = error;
    }
  }
  const record = decisionAuditRecord(context, {
    decision: input.decision,
    policy: input.policy,
    policyValid: input.policyValid,
    response: input.cancel ? "cancel_workflow_run" : "none",
    headSha: run.head_sha,
    ...(input.pullRequest !== undefined ? { pullRequest: input.pullRequest } : {}),
    ...(input.grants?.length ? { grants: input.grants.map(auditGrantOf) } : {}),
    ...(run.head_branch ? { ref: run.head_branch } : {}),
    target: { kind: "workflow_run", id: run.id, url: run.html_url },
    workflowRunId: run.id,
    assets: [`workflow:${run.path}`],
    ...(input.error ? { error: input.error } : {}),
    ...(cancelError !== undefined ? { responseError: `could not cancel the run: ${(cancelError as Error).message}` } : {}),
    ...(input.ruleId ? { extraRuleIds: [input.ruleId] } : {}),
  });
  await trail.write(log, record, { workflow: run.path, ...input.log, ...(outcome ? { cancel: outcome } : {}) });
  if (cancelError !== undefined) throw cancelError;
  return outcome;
}
