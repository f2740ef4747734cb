import type { Logger } from "probot";
import { countedSubjects, decisionAuditRecord, touchedPaths, type AuditContext, type AuditRecord } from "../audit/audit-record.js";
import { evaluatePolicy } from "../engine/evaluate-policy.js";
import type { Decision, Policy } from "../engine/types.js";
import { readCommitState, type CommitState } from "../github/commit-state.js";
import { compareChanges } from "../github/compare-facts.js";
import type { LoadedPolicy } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { withPreviousBlobs } from "../github/previous-blobs.js";
import { RepositoryTree } from "../github/repository-tree.js";
import { gatherWorkflowChanges } from "../github/workflow-changes.js";
import { ownCommits, pushFacts, type PushEvent } from "../github/push-event.js";
import { openPullRequestFrom } from "../github/push-pull-requests.js";
import type { CheckReport, Conclusion, PolicySource } from "../report/check-run-output.js";
import { recordedActors } from "../report/commit-record.js";
import { pushKey } from "../report/commit-verdict.js";
import { inert } from "../report/inert.js";
import type { AuditResponse } from "../audit/audit-record.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";
import { commitKey } from "./keyed-mutex.js";
import { recordOptions, reportCommit } from "./report-commit.js";

/** One push of a branch or tag, and what its handler shares with each step. */
export interface PushTrigger {
  octokit: Octokit;
  log: Logger;
  deps: AppDependencies;
  repo: RepoRef;
  defaultBranch: string;
  event: PushEvent & { refType: "branch" | "tag" };
  audit: AuditContext;
  /**
   * The change is a merge queue's group, `before` its base and `after` its head (see `handleMergeGroup`),
   * or the push that created the queue's branch (no `baseRef`: GitHub's push does not name it).
   */
  mergeGroup?: { baseRef?: string };
}

/**
 * An assistant pushed to a branch that is not protected: judge the pushed
 * changes as a pull request's are, and report an "Agent Policy" check run on
 * the pushed head commit.
 *
 * What is compared: `before...after` for an ordinary push. A created branch
 * has no `before`, and after a force-push `before` may no longer be an
 * ancestor (its diff would show the rewrite, not the branch); both are
 * compared with the default branch instead, so the whole branch content is
 * judged, which fails closed (changes the branch took over from elsewhere
 * are attributed to it too). A branch with an open pull request is left to
 * that pull request's evaluation (see `openPullRequestFrom`). Fails closed:
 * any failure before the report becomes a `failure` check run; only a
 * failure to post it escapes.
 */
export async function evaluatePush(trigger: PushTrigger, loaded: LoadedPolicy, policy: Policy): Promise<void> {
  await trigger.deps.commitLocks.run(commitKey(trigger.repo, trigger.event.after), () => evaluateAtHead(trigger, loaded, policy));
}

async function evaluateAtHead(trigger: PushTrigger, loaded: LoadedPolicy, policy: Policy): Promise<void> {
  const { event, octokit, repo } = trigger;
  const compareBase = compareBaseOf(trigger);
  const subject = trigger.mergeGroup ? mergeGroupSubject(event, compareBase, trigger.mergeGroup.baseRef) : pushSubject(event, compareBase);
  let report: CheckReport;
  let state: CommitState | undefined;
  try {
    const open = trigger.mergeGroup ? undefined : await openPullRequestFrom(octokit, repo, event.name);
    if (open !== undefined) {
      trigger.log.info({ ref: event.ref, pullRequest: open }, `push to ${event.name} is judged by pull request #${open}`);
      // Still the assistant's push on record: who pushed, where, and that its pull request judges it.
      const facts = pushFacts(event, {
        repository: { owner: repo.owner, name: repo.repo, defaultBranch: trigger.defaultBranch },
        policyPaths: [loaded.path],
        commits: ownCommits(event),
      });
      const decision = evaluatePolicy(policy, facts, { now: trigger.deps.clock() });
      await auditPush(trigger, loaded, { decision, response: "none", policyValid: true, pullRequest: open }, { judgedBy: "pull_request" });
      return;
    }
    const [compared, commitState] = await Promise.all([
      compareChanges(octokit, repo, { base: compareBase, head: event.after }),
      readCommitState(octokit, repo, event.after, recordOptions(trigger.deps)),
    ]);
    state = commitState;
    const [workflowChanges, files] = await Promise.all([
      gatherWorkflowChanges(octokit, repo, { files: compared.files, base: compared.mergeBase, head: event.after }),
      withPreviousBlobs(new RepositoryTree(octokit, repo), compared.files, compared.mergeBase),
    ]);
    const pushed = pushFacts(event, {
      repository: { owner: repo.owner, name: repo.repo, defaultBranch: trigger.defaultBranch },
      policyPaths: [loaded.path],
      commits: ownCommits(event, compared.commits),
      commitsComplete: compared.commitsComplete,
      files,
      filesComplete: compared.filesComplete,
      compareBase,
      ...(trigger.mergeGroup ? { mergeGroup: true } : {}),
    });
    // Everyone on record for the commit takes part, as in a pull request's evaluation of it.
    const facts = { ...pushed, workflowChanges, actors: [...pushed.actors, ...recordedActors(state.record.actors, pushed.actors)] };
    report = { policy: loaded, decision: evaluatePolicy(policy, facts, { now: trigger.deps.clock() }), subject, changedPaths: touchedPaths(facts.files) };
  } catch (error) {
    trigger.log.error({ err: error }, "could not evaluate the push; failing closed");
    report = { policy: loaded, error: failureReason(error), subject };
  }
  await reportPush(trigger, report, { compareBase }, state);
}

/**
 * The policy could not be read or does not validate, so nobody can be told
 * apart as an assistant: every pushed branch head gets a `failure` check run
 * (as every pull request does); a deletion or a tag has no head to report
 * on and gets an error audit record only.
 */
export async function failPushClosed(trigger: PushTrigger, loaded: LoadedPolicy, loadError: string | undefined): Promise<void> {
  const { event } = trigger;
  const report: CheckReport = {
    policy: loaded,
    subject: trigger.mergeGroup ? mergeGroupSubject(event, compareBaseOf(trigger), trigger.mergeGroup.baseRef) : pushSubject(event, compareBaseOf(trigger)),
    ...(loadError ? { error: loadError } : !loaded.result.ok ? { policyIssues: loaded.result.issues } : {}),
  };
  if (event.refType === "branch" && !event.deleted) {
    return trigger.deps.commitLocks.run(commitKey(trigger.repo, event.after), () => reportPush(trigger, report, {}));
  }
  await auditPush(trigger, loaded, { response: "none", policyValid: loadError !== undefined, error: loadError ?? `${loaded.path} is invalid` });
}

/** One audit record for a push; `extra` goes into the log line beside it (e.g. `forced`, `compareBase`). */
export async function auditPush(
  trigger: PushTrigger,
  policy: PolicySource,
  input: {
    decision?: Decision;
    response: AuditResponse;
    policyValid: boolean;
    error?: string;
    responseError?: string;
    conclusion?: Conclusion;
    subjects?: AuditRecord["subjects"];
    checkRunId?: number;
    changedPaths?: string[];
    pullRequest?: number;
    severity?: "info" | "critical";
  },
  extra: object = {},
): Promise<void> {
  const { event } = trigger;
  const record = decisionAuditRecord(trigger.audit, {
    ...(input.decision ? { decision: input.decision } : {}),
    policy,
    policyValid: input.policyValid,
    response: input.response,
    ref: event.ref,
    ...(input.pullRequest !== undefined ? { pullRequest: input.pullRequest } : {}),
    ...(input.severity ? { severity: input.severity } : {}),
    ...(event.deleted ? {} : { headSha: event.after }),
    ...(input.conclusion ? { conclusion: input.conclusion } : {}),
    ...(input.subjects ? { subjects: input.subjects } : {}),
    ...(input.checkRunId !== undefined ? { checkRunId: input.checkRunId, target: { kind: "check_run", id: input.checkRunId } } : {}),
    ...(input.error ? { error: input.error } : {}),
    ...(input.responseError ? { responseError: input.responseError } : {}),
    assets: [`${event.refType}:${event.name}`, ...(input.changedPaths ?? []).map((p) => `path:${p}`)],
    extraRuleIds: [...(input.policyValid ? [] : (["policy-invalid"] as const)), ...(input.error && input.policyValid ? (["facts-unavailable"] as const) : [])],
  });
  await trigger.deps.audit.write(trigger.log, record, { forced: event.forced, created: event.created, deleted: event.deleted, ...extra });
}

/** Posts the commit's one verdict with the push as the judged subject (see `reportCommit`), then its audit record. */
async function reportPush(trigger: PushTrigger, report: CheckReport, extra: object, state?: CommitState): Promise<void> {
  const reported = await reportCommit(trigger.octokit, trigger.log, trigger.deps, {
    repo: trigger.repo,
    headSha: trigger.event.after,
    detailsUrl: trigger.event.compareUrl,
    subject: { key: pushKey(trigger.event.ref), report, actors: trigger.event.actors },
    ...(state ? { state } : {}),
  });
  const final = reported.report;
  await auditPush(
    trigger,
    final.policy,
    {
      ...(final.decision ? { decision: final.decision } : {}),
      response: "check_run",
      policyValid: !final.policyIssues?.length,
      conclusion: reported.output.conclusion,
      ...(reported.verdict ? { subjects: countedSubjects(reported.verdict) } : {}),
      ...(reported.published ? { checkRunId: reported.published.id } : {}),
      ...(final.error ? { error: final.error } : {}),
      ...(reported.postError ? { responseError: `could not post the check run: ${reported.postError.message}` } : {}),
      ...(final.changedPaths ? { changedPaths: final.changedPaths } : {}),
    },
    { checkRunCreated: reported.published?.created ?? false, ...extra },
  );
  // The decision was made but not reported: it is audited above, then the failure escapes for redelivery.
  if (reported.postError) throw reported.postError.cause;
}

/** `before`, or the default branch for a created or force-pushed branch (see `evaluatePush`). */
function compareBaseOf(trigger: PushTrigger): string {
  return trigger.event.created || trigger.event.forced ? trigger.defaultBranch : trigger.event.before;
}

/** The check summary's line saying what was judged; a force-push and a new branch say why the default branch is the base. */
function pushSubject(event: PushEvent, compareBase: string): string {
  const code = (text: string) => inert(text, "code", 1_000);
  const head = code(event.after.slice(0, 7));
  if (event.deleted) return `deletion of ${event.refType} ${code(event.name)}`;
  if (event.created) return `new branch ${code(event.name)} at ${head}: every change compared with the default branch ${code(compareBase)}, as a new branch has no earlier head`;
  if (event.forced) {
    return `force-push to ${code(event.name)} at ${head} (was ${code(event.before.slice(0, 7))}): the old head may not be an ancestor any more, so every change is compared with the default branch ${code(compareBase)}`;
  }
  return `push to ${code(event.name)}: ${code(event.before.slice(0, 7))}...${head}`;
}

/** The check summary's line for a merge queue's group: what it will land on (when known), and the range judged. */
function mergeGroupSubject(event: PushEvent, compareBase: string, baseRef: string | undefined): string {
  const code = (text: string) => inert(text, "code", 1_000);
  const range = `every change in ${code(compareBase.slice(0, 40) === compareBase && /^[0-9a-f]{40}$/.test(compareBase) ? compareBase.slice(0, 7) : compareBase)}...${code(event.after.slice(0, 7))}`;
  if (baseRef === undefined) return `merge queue branch ${code(event.name)}: ${range}`;
  return `merge queue group for ${code(baseRef.replace(/^refs\/heads\//, ""))}: ${range}`;
}
