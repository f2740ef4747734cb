import type { Logger } from "probot";
import { applyApprovals } from "../engine/apply-approvals.js";
import { evaluateStepUps } from "../engine/approvals.js";
import { evaluatePolicy } from "../engine/evaluate-policy.js";
import type { Actor, PullRequestFacts } from "../engine/types.js";
import { checkRunAuditRecord, countedSubjects, touchedPaths } from "../audit/audit-record.js";
import { gatherApprovalFacts } from "../github/approval-facts.js";
import { readCommitRecord, readCommitState, type CommitState } from "../github/commit-state.js";
import { loadPolicy, type LoadedPolicy } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { checkProposedPolicy } from "../github/proposed-policy.js";
import { gatherPullRequestFacts, identityOf, readPullRequest, type PullRequestSummary } from "../github/pull-request-facts.js";
import { requestStepUpReviews } from "../github/request-step-up-reviews.js";
import type { CheckReport } from "../report/check-run-output.js";
import { recordedActors, type RecordedActor } from "../report/commit-record.js";
import { pullRequestKey } from "../report/commit-verdict.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";
import { unreadPolicy } from "./read-policy.js";
import { recordOptions, reportCommit } from "./report-commit.js";

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
  /** For `synchronize`: the previous head, whose recorded actors carry over to the new one. */
  before?: string;
}

/**
 * decode → load policy → read the pull request → gather facts and the head
 * commit's record → evaluate (with every actor on record for the commit) →
 * approvals → report the commit's one verdict → audit.
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
  let state: CommitState | undefined;
  let carried: RecordedActor[] = [];
  const eventActors: Actor[] = trigger.senderActed && trigger.sender ? [{ role: "sender", identity: identityOf(trigger.sender) }] : [];
  try {
    loaded = await loadPolicy(octokit, { ...repo, defaultBranch: trigger.defaultBranch }, deps.policyCache);
    const pr = await readPullRequest(octokit, repo, trigger.number);
    headSha = pr.head.sha;
    detailsUrl = pr.html_url;
    const before = trigger.before && trigger.before !== headSha && !/^0+$/.test(trigger.before) ? trigger.before : undefined;
    const [gathered, commitState, previous] = await Promise.all([
      gatherPullRequestFacts(octokit, repo, pr, { ...(trigger.senderActed ? { sender: trigger.sender ?? null } : {}), policyPaths: [loaded.path] }),
      readCommitState(octokit, repo, headSha, recordOptions(deps)),
      before ? readCommitRecord(octokit, repo, before, recordOptions(deps)) : undefined,
    ]);
    state = commitState;
    carried = previous?.record.actors ?? [];
    const { facts, pull } = gathered;
    facts.actors.push(...recordedActors([...state.record.actors, ...carried], eventActors));
    report = { ...(await judge(octokit, repo, loaded, facts, pull, deps.clock())), changedPaths: touchedPaths(facts.files) };
  } catch (error) {
    log.error({ err: error }, "could not evaluate the pull request; failing closed");
    report = { policy: loaded, error: failureReason(error) };
  }

  const reported = await reportCommit(octokit, log, deps, {
    repo,
    headSha,
    detailsUrl,
    subject: { key: pullRequestKey(trigger.number), report, actors: eventActors },
    ...(state ? { state } : {}),
    carried,
  });
  const record = checkRunAuditRecord(
    {
      time: deps.clock(),
      deliveryId: trigger.deliveryId,
      ...(trigger.installationId !== undefined ? { installationId: trigger.installationId } : {}),
      repository: `${repo.owner}/${repo.repo}`,
      event: trigger.event,
      ...(trigger.action ? { action: trigger.action } : {}),
      ...(trigger.sender ? { actor: { login: trigger.sender.login, id: trigger.sender.id } } : {}),
    },
    {
      pullRequest: trigger.number,
      headSha,
      report: reported.report,
      conclusion: reported.output.conclusion,
      ...(reported.verdict ? { subjects: countedSubjects(reported.verdict) } : {}),
      published: reported.published ? { id: reported.published.id } : { error: reported.postError?.message ?? "unknown" },
    },
  );
  // The decision was made but, when posting failed, not reported: it is still one audit record, then the failure escapes for redelivery.
  await deps.audit.write(log, record, { checkRunCreated: reported.published?.created ?? false });
  if (reported.postError) throw reported.postError.cause;
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
