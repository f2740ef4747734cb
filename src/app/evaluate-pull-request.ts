import type { Logger } from "probot";
import { applyApprovals } from "../engine/apply-approvals.js";
import { evaluateStepUps } from "../engine/approvals.js";
import { evaluatePolicy } from "../engine/evaluate-policy.js";
import type { PullRequestFacts } from "../engine/types.js";
import { checkRunAuditRecord, touchedPaths } from "../audit/audit-record.js";
import { gatherApprovalFacts } from "../github/approval-facts.js";
import { GitHubFactsError } from "../github/errors.js";
import { loadPolicy, type LoadedPolicy } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { checkProposedPolicy } from "../github/proposed-policy.js";
import { publishCheckRun } from "../github/publish-check-run.js";
import { gatherPullRequestFacts, type PullRequestSummary } from "../github/pull-request-facts.js";
import { requestStepUpReviews } from "../github/request-step-up-reviews.js";
import { renderCheckRun, type CheckReport } from "../report/check-run-output.js";
import type { AppDependencies } from "./dependencies.js";
import { unreadPolicy } from "./read-policy.js";

/** Why a pull request is being evaluated, and what the event told us. */
export interface PullRequestTrigger {
  deliveryId: string;
  event: string;
  action?: string;
  installationId?: number;
  repo: RepoRef;
  defaultBranch: string;
  number: number;
  /** The head SHA the event named; the evaluation uses the PR's current head. */
  headSha: string;
  detailsUrl: string;
  sender?: { login: string; id: number; type?: string } | null;
  /** True when the sender acted on the change itself (opened, pushed, edited): it is then one of the change's actors. */
  senderActed: boolean;
}

/**
 * decode → load policy → gather facts → evaluate → approvals → report → audit.
 * Fails closed: any failure before the report becomes a `failure` check run
 * that says why; only a failure to post that check escapes (the caller logs it
 * with the delivery id, so the event can be redelivered).
 */
export async function evaluatePullRequest(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: PullRequestTrigger): Promise<void> {
  const { repo } = trigger;
  let headSha = trigger.headSha;
  let detailsUrl = trigger.detailsUrl;
  let loaded: LoadedPolicy = unreadPolicy(trigger.defaultBranch);
  let report: CheckReport;
  try {
    loaded = await loadPolicy(octokit, { ...repo, defaultBranch: trigger.defaultBranch }, deps.policyCache);
    const { facts, pull } = await gatherPullRequestFacts(octokit, repo, {
      number: trigger.number,
      ...(trigger.senderActed ? { sender: trigger.sender ?? null } : {}),
      policyPaths: [loaded.path],
    });
    headSha = pull.headSha;
    detailsUrl = pull.htmlUrl;
    report = { ...(await judge(octokit, repo, loaded, facts, pull, deps.clock())), changedPaths: touchedPaths(facts.files) };
  } catch (error) {
    const reason = error instanceof GitHubFactsError ? error.message : `internal error: ${(error as Error).message}`;
    log.error({ err: error }, "could not evaluate the pull request; failing closed");
    report = { policy: loaded, error: reason };
  }

  const output = renderCheckRun(report);
  const audit = (published: { id: number } | { error: string }) =>
    checkRunAuditRecord(
      {
        time: deps.clock(),
        deliveryId: trigger.deliveryId,
        ...(trigger.installationId !== undefined ? { installationId: trigger.installationId } : {}),
        repository: `${repo.owner}/${repo.repo}`,
        event: trigger.event,
        ...(trigger.action ? { action: trigger.action } : {}),
        ...(trigger.sender ? { actor: { login: trigger.sender.login, id: trigger.sender.id } } : {}),
      },
      { pullRequest: trigger.number, headSha, report, conclusion: output.conclusion, published },
    );
  let published;
  try {
    published = await publishCheckRun(octokit, repo, {
      headSha,
      output,
      detailsUrl,
      completedAt: deps.clock(),
      ...(deps.appId ? { appId: deps.appId } : {}),
    });
  } catch (error) {
    // The decision was made but not reported: it is still one audit record, then the failure escapes for redelivery.
    const message = error instanceof GitHubFactsError ? error.message : `internal error: ${(error as Error).message}`;
    await deps.audit.write(log, audit({ error: message }), { checkRunCreated: false });
    throw error;
  }
  await deps.audit.write(log, audit({ id: published.id }), { checkRunCreated: published.created });
}

async function judge(
  octokit: Octokit,
  repo: RepoRef,
  loaded: LoadedPolicy,
  facts: PullRequestFacts,
  pull: PullRequestSummary,
  now: Date,
): Promise<CheckReport> {
  const proposed = await checkProposedPolicy(octokit, repo, { headSha: facts.headSha, files: facts.files });
  const extra: Partial<CheckReport> = {
    ...(proposed?.issues.length ? { proposedPolicyIssues: proposed.issues } : {}),
    ...(proposed?.removed ? { proposedPolicyRemoved: true } : {}),
  };
  if (!loaded.result.ok) return { policy: loaded, policyIssues: loaded.result.issues, ...extra };
  const policy = loaded.result.policy;
  let decision = evaluatePolicy(policy, facts, { now });
  if (decision.stepUps.length === 0) return { policy: loaded, decision, ...extra };

  const approvals = await gatherApprovalFacts(octokit, repo, { number: facts.number, headSha: facts.headSha, stepUps: decision.stepUps });
  decision = applyApprovals(decision, evaluateStepUps(decision, facts, approvals, policy));
  // Reviews are requested only while the step-up is what blocks the change and the check would block (enforce mode).
  if (decision.verdict !== "step_up" || decision.mode !== "enforce") return { policy: loaded, decision, ...extra };
  const reviewRequest = await requestStepUpReviews(octokit, repo, {
    number: facts.number,
    author: pull.author,
    statuses: decision.stepUpStatus ?? [],
    alreadyUsers: pull.requestedUsers,
    alreadyTeams: pull.requestedTeams,
  });
  return { policy: loaded, decision, reviewRequest, ...extra };
}
