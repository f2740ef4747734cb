import type { Logger } from "probot";
import { applyApprovals } from "../engine/apply-approvals.js";
import { evaluateStepUps } from "../engine/approvals.js";
import { evaluatePolicy } from "../engine/evaluate-policy.js";
import type { ApprovalFacts } from "../engine/approvals.js";
import type { Actor, Decision, Policy, PullRequestFacts } from "../engine/types.js";
import { unlinkedParticipants } from "../engine/unlinked-participants.js";
import { checkRunAuditRecord, countedSubjects, touchedPaths } from "../audit/audit-record.js";
import { gatherApprovalFacts, listReviewFacts } from "../github/approval-facts.js";
import type { CommitState, OwnCheckRun } from "../github/commit-state.js";
import { loadPolicy, type LoadedPolicy } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { openPullRequestsAt } from "../github/open-pull-requests-at.js";
import { checkProposedPolicy } from "../github/proposed-policy.js";
import { gatherPullRequestFacts, identityOf, readPullRequest, type PullRequestData, type PullRequestSummary } from "../github/pull-request-facts.js";
import { requestStepUpReviews } from "../github/request-step-up-reviews.js";
import type { CancelledRun } from "../report/cancelled-runs.js";
import type { CheckReport } from "../report/check-run-output.js";
import { recordedActors, reviewApprovers, type CommitRecord, type RecordedActor, type ReviewApprovers } from "../report/commit-record.js";
import { pullRequestKey } from "../report/commit-verdict.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";
import { commitKey } from "./keyed-mutex.js";
import { unreadPolicy } from "./read-policy.js";
import { commitRecordOf, reportCommit } from "./report-commit.js";
import { reviewCanChange, reviewIsInert, type ReviewTrigger } from "./review-gate.js";
import { applyGrants } from "../engine/grants/apply-grants.js";
import { readGrants, type GrantReading } from "../github/grant-facts.js";
import { recordGrantExpiries } from "./record-grant-expiries.js";
import type { RuleId } from "../engine/types.js";

/** The findings a task-scoped grant can lift (see `applyGrants`). */
const GRANTABLE: ReadonlySet<RuleId> = new Set(["path-scope", "branch-scope"]);

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
  /** A review event: evaluated only when the review can change the verdict (see review-gate.ts). */
  review?: ReviewTrigger;
  /** A grant or revoke command was posted: the grants are read whatever the findings, to answer it. */
  grantCommand?: boolean;
  /**
   * The pull request as the event's payload carries it, used instead of
   * reading it: its head is judged only once the commits GitHub lists end at
   * that head (see `listedTip`); otherwise the pull request is read after all.
   */
  pull?: PullRequestData;
  /** Workflow runs of this pull request just cancelled because their agent's authority ended: lines of this check. */
  cancelledRuns?: readonly CancelledRun[];
}

/** What the evaluation learnt that its caller may answer with: the grants, when they were read. */
export interface PullRequestEvaluation {
  /** The head commit judged. */
  headSha: string;
  grants?: GrantReading;
  /** The grants were wanted but could not be read (or the evaluation failed before them): why. */
  grantsError?: string;
  /** The failure `grantsError` describes, when there was one. */
  cause?: unknown;
  /** Where the policy came from, and the policy itself, when the grants were read. */
  policySource?: LoadedPolicy;
  policy?: Policy;
}

/** The commit's record as read under its lock, so the evaluation that follows does not read it again. */
type KnownRecord = { record: CommitRecord; latest: OwnCheckRun | undefined };

/** What is known before the commit is: the policy, the pull request as it is now, and who is on record for its previous head. */
interface Opening {
  loaded: LoadedPolicy;
  pr?: PullRequestData;
  /** `pr` is the event's copy, not read: its head is still to be confirmed. */
  fromPayload?: boolean;
  carried: RecordedActor[];
  error?: string;
  /** What `error` describes. */
  cause?: unknown;
}

/**
 * decode → load policy → read the pull request → (one at a time per commit:)
 * gather facts and the head commit's record → evaluate (with every actor on
 * record for the commit) → approvals → read again what the verdict relies on
 * → report the commit's one verdict → audit.
 * Fails closed: any failure before the report becomes a `failure` check run
 * that says why; only a failure to post that check escapes (the caller logs it
 * with the delivery id, so the event can be redelivered).
 */
export async function evaluatePullRequest(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: PullRequestTrigger): Promise<PullRequestEvaluation | undefined> {
  if (trigger.review) return evaluateReview(octokit, log, deps, trigger, trigger.review).then(() => undefined);
  const opening = await open(octokit, log, deps, trigger);
  // A comment does not name the head commit: without the pull request there is no commit to report on.
  if (!opening.pr && !trigger.headSha) throw opening.cause ?? new Error(`could not read pull request #${trigger.number}`);
  const headSha = opening.pr?.head.sha ?? trigger.headSha;
  const result = await deps.commitLocks.run(commitKey(trigger.repo, headSha), () => evaluateAtHead(octokit, log, deps, trigger, opening, headSha));
  if (!("moved" in result)) return result;
  // The payload's head is no longer the pull request's: nothing is said of it; the current head is judged, as a fresh read would have.
  const moved = result.moved;
  const fresh: Opening = { ...opening, pr: moved, fromPayload: false };
  const evaluated = await deps.commitLocks.run(commitKey(trigger.repo, moved.head.sha), () => evaluateAtHead(octokit, log, deps, trigger, fresh, moved.head.sha));
  if ("moved" in evaluated) throw new Error("a pull request read from GitHub was taken for the payload's copy");
  return evaluated;
}

/**
 * A review costs the installation's API budget only when it can change the
 * verdict: most reviews are decided from the payload alone (no call); a
 * standing review by someone else costs one read of the commit's record (and
 * at most `TEAM_LOOKUPS` team lookups). The record is read under the commit's
 * lock and the evaluation that follows runs under it too, reusing that read —
 * unless the pull request's head has moved, which is then judged under its own lock.
 */
async function evaluateReview(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: PullRequestTrigger, review: ReviewTrigger): Promise<void> {
  const skip = (reason: string) => log.info({ pullRequest: trigger.number, headSha: trigger.headSha, reason }, "this review cannot change the verdict; not evaluated");
  const inert = reviewIsInert(review);
  if (inert) return skip(inert);
  const moved = await deps.commitLocks.run(commitKey(trigger.repo, trigger.headSha), async () => {
    let known: KnownRecord | undefined;
    try {
      known = await commitRecordOf(octokit, deps, trigger.repo, trigger.headSha);
    } catch (error) {
      // The evaluation reads the record again and fails closed on it.
      log.warn({ err: error }, "could not read the commit's record for a review; evaluating");
    }
    const gate = await reviewCanChange(octokit, known?.record, review);
    if (!gate.evaluate) return skip(gate.reason);
    const opening = await open(octokit, log, deps, trigger);
    const headSha = opening.pr?.head.sha ?? trigger.headSha;
    if (headSha.toLowerCase() !== trigger.headSha.toLowerCase()) return { opening, headSha };
    await evaluateAtHead(octokit, log, deps, trigger, opening, headSha, known);
    return undefined;
  });
  if (moved) await deps.commitLocks.run(commitKey(trigger.repo, moved.headSha), () => evaluateAtHead(octokit, log, deps, trigger, moved.opening, moved.headSha));
}

async function open(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: PullRequestTrigger): Promise<Opening> {
  const { repo } = trigger;
  let loaded: LoadedPolicy = unreadPolicy(trigger.defaultBranch);
  const before = trigger.before && trigger.before !== trigger.headSha && !/^0+$/.test(trigger.before) ? trigger.before : undefined;
  try {
    // Independent reads, all at once; a failure of the policy is the one reported first.
    const [policy, pull, previous] = await Promise.allSettled([
      loadPolicy(octokit, { ...repo, defaultBranch: trigger.defaultBranch }, deps.policyCache),
      trigger.pull ?? readPullRequest(octokit, repo, trigger.number),
      // Read once any evaluation of the previous head in this process has posted, so nothing it recorded is missed.
      before ? deps.commitLocks.run(commitKey(repo, before), () => commitRecordOf(octokit, deps, repo, before)) : undefined,
    ]);
    if (policy.status === "fulfilled") loaded = policy.value;
    for (const read of [policy, pull, previous]) if (read.status === "rejected") throw read.reason;
    const pr = (pull as PromiseFulfilledResult<PullRequestData>).value;
    const carried = (previous as PromiseFulfilledResult<KnownRecord | undefined>).value?.record.actors ?? [];
    return { loaded, pr, carried, ...(trigger.pull ? { fromPayload: true } : {}) };
  } catch (error) {
    log.error({ err: error }, "could not evaluate the pull request; failing closed");
    return { loaded, carried: [], error: failureReason(error), cause: error };
  }
}

async function evaluateAtHead(
  octokit: Octokit,
  log: Logger,
  deps: AppDependencies,
  trigger: PullRequestTrigger,
  opening: Opening,
  headSha: string,
  known?: KnownRecord,
): Promise<PullRequestEvaluation | { moved: PullRequestData }> {
  const { repo } = trigger;
  const eventActors: Actor[] = trigger.senderActed && trigger.sender ? [{ role: "sender", identity: identityOf(trigger.sender) }] : [];
  let report: CheckReport = { policy: opening.loaded, error: opening.error ?? "the pull request could not be read" };
  let state: CommitState | undefined;
  let recordedState: KnownRecord | undefined;
  let movedTo: string | undefined;
  let approvers: ReviewApprovers | undefined;
  let grants: GrantReading | undefined;
  let failure: unknown = opening.cause;
  if (opening.pr && !opening.error) {
    try {
      const [gathered, recorded] = await Promise.all([
        gatherPullRequestFacts(octokit, repo, opening.pr, { ...(trigger.senderActed ? { sender: trigger.sender ?? null } : {}), policyPaths: [opening.loaded.path] }),
        known ?? commitRecordOf(octokit, deps, repo, headSha),
      ]);
      if (opening.fromPayload && !gathered.headIsTip) {
        // The commits listed do not end at the payload's head (a late event, a head that moved on, or a listing GitHub cut): the pull request says.
        const pr = await readPullRequest(octokit, repo, opening.pr.number);
        if (pr.head.sha.toLowerCase() !== headSha.toLowerCase()) return { moved: pr };
      }
      recordedState = recorded;
      const { facts, pull } = gathered;
      facts.actors.push(...recordedActors([...recorded.record.actors, ...opening.carried], eventActors));
      // Grants are read only when a command asks, or when the PR has comments and a finding a grant could lift.
      const wantGrants = trigger.grantCommand ? "always" : (opening.pr.comments ?? 0) > 0 ? "when-scoped" : "never";
      const judged = await judge(octokit, repo, opening.loaded, facts, pull, deps.clock(), { wantGrants, ...(deps.appId ? { appId: deps.appId } : {}) });
      grants = judged.grants;
      failure = judged.grantsFailure;
      const fresh = await readAgain(octokit, repo, facts, judged);
      state = { ...recorded, openPulls: fresh.openPulls };
      report = { ...fresh.report, changedPaths: touchedPaths(facts.files) };
      movedTo = fresh.movedTo;
      if (report.decision) approvers = approversOf(judged);
    } catch (error) {
      log.error({ err: error }, "could not evaluate the pull request; failing closed");
      report = { policy: opening.loaded, error: failureReason(error) };
      failure = error;
    }
  }

  if (trigger.cancelledRuns?.length) report = { ...report, cancelledRuns: trigger.cancelledRuns };
  const reported = await reportCommit(octokit, log, deps, {
    repo,
    headSha,
    detailsUrl: opening.pr?.html_url ?? trigger.detailsUrl,
    subject: { key: pullRequestKey(trigger.number), report, actors: eventActors, ...(approvers ? { approvers } : {}) },
    ...(state ? { state } : recordedState ? { recorded: recordedState } : {}),
    carried: opening.carried,
    ...(movedTo ? { supersededBy: movedTo } : {}),
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
  await deps.audit.write(log, record, { checkRunCreated: reported.published?.created ?? false, ...(movedTo ? { supersededBy: movedTo } : {}) });
  if (reported.postError) throw reported.postError.cause;
  if (grants) scheduleGrantEnd(octokit, log, deps, trigger, grants);
  if (grants) return { headSha, grants, policySource: opening.loaded, ...(opening.loaded.result.ok ? { policy: opening.loaded.result.policy } : {}) };
  return {
    headSha,
    grantsError: report.grants?.error ?? report.error ?? (report.policyIssues?.length ? `${report.policy.path} does not validate` : "the grants were not read"),
    ...(failure !== undefined ? { cause: failure } : {}),
  };
}

/**
 * When the grants in force will first end, the pull request is judged again
 * (`GrantExpiryTimers`): its check then turns red on time, and each grant that
 * has ended is one `expired` audit record (kept once: `recordGrantExpiries`).
 * The grant sweep (`GrantSweep`) arms the same timers after a restart.
 */
function scheduleGrantEnd(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: PullRequestTrigger, grants: GrantReading): void {
  let first: number | undefined;
  for (const g of grants.ledger.active) first = first === undefined ? Date.parse(g.expires) : Math.min(first, Date.parse(g.expires));
  if (first === undefined) return;
  const key = grantTimerKey(trigger.repo, trigger.number);
  deps.grantTimers.at(key, new Date(first), async () => {
    const { review: _review, before: _before, action: _action, cancelledRuns: _runs, ...rest } = trigger;
    const again: PullRequestTrigger = { ...rest, deliveryId: `${trigger.deliveryId}:grant-expiry`, event: "grant_expiry", headSha: "", sender: null, senderActed: false, grantCommand: true };
    try {
      await recordGrantExpiries(log, deps, again, await evaluatePullRequest(octokit, log, deps, again));
    } catch (error) {
      log.error({ err: error, pullRequest: trigger.number }, "could not judge the pull request again when its grant ended; the grant sweep or its next event will");
    }
  });
}

/** The key of a pull request's pending grant-end re-evaluation. */
export function grantTimerKey(repo: RepoRef, number: number): string {
  return `${repo.owner}/${repo.repo}#${number}`.toLowerCase();
}

/** A judgement, and what its step-up approvals were worked out from (to work them out again on fresh reviews). */
interface Judged {
  report: CheckReport;
  grants?: GrantReading;
  /** Reading the grants failed with this (the change was judged without them). */
  grantsFailure?: unknown;
  approvals?: { undecided: Decision; policy: Policy; facts: ApprovalFacts };
}

async function judge(
  octokit: Octokit,
  repo: RepoRef,
  loaded: LoadedPolicy,
  facts: PullRequestFacts,
  pull: PullRequestSummary,
  now: Date,
  options: { wantGrants: "always" | "when-scoped" | "never"; appId?: number },
): Promise<Judged> {
  const proposed = await checkProposedPolicy(octokit, repo, { headSha: facts.headSha, files: facts.files });
  const extra: Partial<CheckReport> & Pick<CheckReport, "grants"> = {
    ...(proposed?.issues.length ? { proposedPolicyIssues: proposed.issues } : {}),
    ...(proposed?.removed ? { proposedPolicyRemoved: true } : {}),
  };
  if (!loaded.result.ok) return { report: { policy: loaded, policyIssues: loaded.result.issues, ...extra } };
  let policy = loaded.result.policy;
  let undecided = evaluatePolicy(policy, facts, { now });
  let grants: GrantReading | undefined;
  let grantsFailure: unknown;
  if (options.wantGrants === "always" || (options.wantGrants === "when-scoped" && undecided.findings.some((f) => GRANTABLE.has(f.ruleId)))) {
    try {
      grants = await readGrants(octokit, repo, { policy, facts, head: pull.head, now, ...(options.appId ? { appId: options.appId } : {}) });
      extra.grants = { active: grants.ledger.active, ended: grants.ledger.ended };
      if (grants.ledger.active.length > 0) {
        policy = applyGrants(policy, grants.ledger.active);
        undecided = evaluatePolicy(policy, facts, { now });
      }
    } catch (error) {
      // Without its grants the change is judged on the policy alone: stricter, never looser.
      extra.grants = { active: [], ended: [], error: failureReason(error) };
      grantsFailure = error;
    }
  }
  const withGrants = grants ? { grants } : grantsFailure !== undefined ? { grantsFailure } : {};
  if (undecided.stepUps.length === 0) return { report: { policy: loaded, decision: undecided, ...extra }, ...withGrants };

  const approvalFacts = await gatherApprovalFacts(octokit, repo, {
    number: facts.number,
    headSha: facts.headSha,
    stepUps: undecided.stepUps,
    head: pull.head,
    unlinked: unlinkedParticipants(policy, facts),
  });
  const approvals = { undecided, policy, facts: approvalFacts };
  const judged = { approvals, ...withGrants };
  const decision = applyApprovals(undecided, evaluateStepUps(undecided, facts, approvalFacts, policy));
  // Reviews are requested only while the step-up is what blocks the change and the check would block (enforce mode).
  if (decision.verdict !== "step_up" || decision.mode !== "enforce") return { report: { policy: loaded, decision, ...extra }, ...judged };
  const reviewRequest = await requestStepUpReviews(octokit, repo, {
    number: facts.number,
    author: pull.author,
    statuses: decision.stepUpStatus ?? [],
    alreadyUsers: pull.requestedUsers,
    alreadyTeams: pull.requestedTeams,
  });
  return { report: { policy: loaded, decision, reviewRequest, ...extra }, ...judged };
}

/**
 * Who could change the verdict by reviewing: the approvers of the step-ups
 * that approvals decide (a step-up verdict before approvals); nobody when
 * nothing waits on approvals or a deny stands whatever the reviews say.
 */
function approversOf(judged: Judged): ReviewApprovers | undefined {
  const undecided = judged.approvals?.undecided;
  if (!undecided || undecided.verdict !== "step_up") return { users: [], teams: [] };
  return reviewApprovers(
    undecided.stepUps.flatMap((s) => s.users),
    undecided.stepUps.flatMap((s) => s.teams),
  );
}

/**
 * Right before the verdict is posted, what it relies on is read again: the
 * open pull requests whose head is the commit (for the commit's one verdict,
 * and to tell that this one is still open with this head), and the reviews when
 * approvals decide the verdict (a step-up). Reviews that changed meanwhile (an approval dismissed,
 * changes requested) are applied to the decision, so an approval read before
 * a dismissal never posts a pass after it. A pull request whose head moved on
 * (or that closed) is reported on this commit marked as superseded, never as
 * its current result.
 *
 * GitHub lists a commit's pull requests as they are now, each with its state
 * and head, so one listing says both. A pull request missing from it is read
 * itself: the listing may lag behind a push, and leaves out open pull requests
 * once the commit is on the default branch; only the pull request's own
 * state and head then decide that it moved on.
 */
async function readAgain(
  octokit: Octokit,
  repo: RepoRef,
  facts: PullRequestFacts,
  judged: Judged,
): Promise<{ report: CheckReport; openPulls: number[]; movedTo?: string }> {
  // Approvals change the verdict only of a step-up; a deny stays whatever the reviews say.
  const approvals = judged.approvals?.undecided.verdict === "step_up" ? judged.approvals : undefined;
  const [openPulls, reviews] = await Promise.all([openPullRequestsAt(octokit, repo, facts.headSha), approvals ? listReviewFacts(octokit, repo, facts.number) : undefined]);
  let report = judged.report;
  if (approvals && reviews) {
    const { undecided, policy, facts: approvalFacts } = approvals;
    const decision = applyApprovals(undecided, evaluateStepUps(undecided, facts, { ...approvalFacts, reviews }, policy));
    report = { ...report, decision };
  }
  if (openPulls.includes(facts.number)) return { report, openPulls };
  const pr = await readPullRequest(octokit, repo, facts.number);
  const movedTo =
    pr.state !== "open" ? `${pr.state} (head ${pr.head.sha.slice(0, 7)})` : pr.head.sha.toLowerCase() !== facts.headSha.toLowerCase() ? pr.head.sha.slice(0, 7) : undefined;
  return { report, openPulls, ...(movedTo ? { movedTo } : {}) };
}
