import type { Context } from "probot";
import { auditGrantOf, decisionAuditRecord, type AuditResponse } from "../../audit/audit-record.js";
import type { DeploymentVerdict } from "../../engine/decide-deployment.js";
import type { Actor } from "../../engine/types.js";
import { parseDeploymentCallback } from "../../github/deployment-callback.js";
import { reviewDeployment } from "../../github/review-deployment.js";
import { account } from "../../github/workflow-run.js";
import { POLICY_FILE } from "../../policy/schema.js";
import { auditContextFor } from "../audit-context.js";
import type { AppDependencies } from "../dependencies.js";
import { judgeDeployment, type DeploymentJudgement } from "../judge-deployment.js";

type DeploymentProtectionRuleContext = Context<"deployment_protection_rule.requested">;

const RESPONSE: Record<DeploymentVerdict, AuditResponse> = { approve: "deployment_approved", reject: "deployment_rejected", hold: "deployment_held" };
const STATE = { approve: "approved", reject: "rejected", hold: undefined } as const;

/**
 * A job of a run reached an environment that has this app's custom deployment
 * protection rule. The app answers through the event's callback URL (validated
 * strictly; a URL it cannot trust gets no answer at all, so the deployment is
 * never approved): approve, reject, or — for a step-up it cannot yet leave to
 * GitHub's required reviewers — a comment only, which keeps the job waiting.
 * A hold is not re-evaluated by itself: it is released when the run is
 * cancelled and re-run after the environment's required reviewers were made exactly the agent's
 * owner (with self-review prevented) or the environment was allowed in the
 * policy; otherwise the job waits until someone cancels it, an administrator
 * bypasses the protection rules (when the environment allows that), or
 * GitHub's own limit on waiting jobs ends it. Every answer, and every event
 * left unanswered, is one audit record.
 */
export function handleDeploymentProtectionRule(deps: AppDependencies) {
  return async (context: DeploymentProtectionRuleContext): Promise<void> => {
    const { payload } = context;
    const log = context.log.child({ deliveryId: context.id });
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const environment = payload.environment ?? "";
    const auditContext = auditContextFor(context, deps.clock());
    const deployment = payload.deployment;
    const target = deployment ? { kind: "deployment", id: deployment.id, url: deployment.url } : undefined;
    const ref = deployment?.ref;

    const apiBaseUrl = context.octokit.request.endpoint.DEFAULTS.baseUrl;
    const callback = parseDeploymentCallback(payload.deployment_callback_url, { apiBaseUrl, repo });
    if (!callback.ok || !environment) {
      const error = callback.ok ? "the event names no environment" : callback.reason;
      log.warn({ callbackUrl: payload.deployment_callback_url, environment }, `deployment protection rule not answered: ${error}`);
      const record = decisionAuditRecord(auditContext, {
        policy: { source: "repository", path: POLICY_FILE, ref: payload.repository.default_branch },
        policyValid: true,
        response: "none",
        error,
        extraRuleIds: ["facts-unavailable"],
        severity: "critical",
        ...(ref ? { ref } : {}),
        ...(target ? { target } : {}),
        ...(environment ? { assets: [`environment:${environment}`] } : {}),
      });
      await deps.audit.write(log, record);
      return;
    }

    const actors: Actor[] = [];
    if (payload.sender) actors.push({ role: "sender", identity: account(payload.sender) });
    if (deployment?.creator) actors.push({ role: "deployment_creator", identity: account(deployment.creator) });
    const judgement = await judgeDeployment(context.octokit, log, deps, {
      repo,
      defaultBranch: payload.repository.default_branch,
      environment,
      runId: callback.runId,
      actors,
    });

    const record = (answerError?: string) =>
      decisionAuditRecord(auditContext, {
        ...auditDecision(judgement),
        policy: judgement.policy,
        policyValid: judgement.policyValid,
        response: RESPONSE[judgement.answer],
        extraRuleIds: judgement.extraRuleIds,
        ...(judgement.error ? { error: judgement.error } : {}),
        ...(answerError ? { responseError: `could not answer the deployment: ${answerError}` } : {}),
        ...(ref ? { ref } : {}),
        ...(judgement.grants?.pullRequest !== undefined ? { pullRequest: judgement.grants.pullRequest } : {}),
        ...(judgement.grants?.applied.length ? { grants: judgement.grants.applied.map(auditGrantOf) } : {}),
        target: target ?? { kind: "workflow_run", id: callback.runId },
        workflowRunId: callback.runId,
        assets: [`environment:${environment}`],
      });
    const state = STATE[judgement.answer];
    try {
      const review = { runId: callback.runId, environment, comment: judgement.comment, ...(state ? { state } : {}) };
      await reviewDeployment(context.octokit, repo, review);
    } catch (error) {
      await deps.audit.write(log, record((error as Error).message), { answered: false });
      throw error;
    }
    await deps.audit.write(log, record(), { answered: true, runId: callback.runId, environment });
  };
}

/** The audit record takes the engine's Decision shape: the deployment verdict maps back to allow / step_up / deny. */
function auditDecision(judgement: DeploymentJudgement) {
  const { decision } = judgement;
  return decision ? { decision: { ...decision, verdict: decision.policyVerdict } } : {};
}
