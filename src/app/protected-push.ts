import { evaluatePolicy } from "../engine/evaluate-policy.js";
import { identifyAgents } from "../engine/identify-agents.js";
import type { CommitFact, Policy } from "../engine/types.js";
import { compareCommits } from "../github/compare-commits.js";
import { GitHubFactsError } from "../github/errors.js";
import type { LoadedPolicy } from "../github/load-policy.js";
import { branchCommits, PUSH_PAYLOAD_MAX_COMMITS, pushFacts } from "../github/push-event.js";
import { githubMergeOf, type MergeCheck } from "../github/push-pull-requests.js";
import { auditPush, failPushClosed, type PushTrigger } from "./evaluate-push.js";
import { raiseIncidents } from "./raise-incidents.js";

/** What a push brought onto a protected branch, as far as GitHub could list it. */
interface BranchExamination {
  commits: CommitFact[];
  /** False when some commit new on the branch may not be among `commits`. */
  complete: boolean;
  /** Why not complete: a GitHub failure, or more commits than can be listed. */
  gap?: string;
  /** The commits GitHub created and signed itself (see `compareCommits`). */
  createdByGitHub: ReadonlySet<string>;
}

/**
 * A push to a protected branch (the default branch or `protected_branches`).
 *
 * Every commit the push brings onto the branch is examined, not only those
 * GitHub calls `distinct`: pushing a commit to another branch first and then
 * to this one makes it not distinct, but it is new here (see
 * `examineBranchCommits`). Then:
 * - an assistant in the push (pusher, sender, or any of those commits'
 *   authors, committers and trailers): an incident per assistant, whoever
 *   pushed; unless the push is GitHub's own merge of a pull request into
 *   this branch (`githubMergeOf`), judged as a merge, with one audit record;
 * - no assistant, and the policy unusable: fail closed (`failPushClosed`);
 * - no assistant among the commits that could be listed, but not all could
 *   be: one critical audit record saying the push could not be fully
 *   examined (fail closed; there is nobody to name in an incident);
 * - no assistant: nothing.
 */
export async function judgeProtectedPush(
  trigger: PushTrigger,
  input: { loaded: LoadedPolicy; policy: Policy; usable: boolean; loadError: string | undefined },
): Promise<void> {
  const { event, repo, log } = trigger;
  const examined = await examineBranchCommits(trigger);
  const base = {
    repository: { owner: repo.owner, name: repo.repo, defaultBranch: trigger.defaultBranch },
    policyPaths: [input.loaded.path],
    commits: examined.commits,
    commitsComplete: examined.complete,
  };
  const facts = pushFacts(event, base);
  const agents = identifyAgents(input.policy, facts);

  if (agents.length === 0) {
    if (!input.usable) return failPushClosed(trigger, input.loaded, input.loadError);
    if (examined.complete) {
      log.debug({ ref: event.ref, commits: examined.commits.length }, "no AI assistant in this push");
      return;
    }
    log.warn({ ref: event.ref, gap: examined.gap }, `push to ${event.name} could not be fully examined; failing closed`);
    const decision = evaluatePolicy(input.policy, facts, { now: trigger.deps.clock() });
    await auditPush(
      trigger,
      input.loaded,
      { decision, response: "none", policyValid: true, severity: "critical", error: `the push to ${event.name} could not be fully examined: ${examined.gap}` },
      { examinedCommits: examined.commits.length },
    );
    return;
  }

  const merge = await mergeCheck(trigger, examined);
  if ("pullRequest" in merge) {
    log.info({ ref: event.ref, pullRequest: merge.pullRequest }, `push to ${event.name} is GitHub merging pull request #${merge.pullRequest}; judged as a merge`);
    const decision = evaluatePolicy(input.policy, pushFacts(event, { ...base, mergedPullRequest: merge.pullRequest }), { now: trigger.deps.clock() });
    await auditPush(trigger, input.loaded, { decision, response: "none", policyValid: input.usable, pullRequest: merge.pullRequest }, { judgedAs: "merge" });
    return;
  }
  log.info({ ref: event.ref, reason: merge.notMerge }, `push to ${event.name} is not GitHub merging a pull request`);
  await raiseIncidents(trigger.octokit, log, {
    repo,
    markerKey: trigger.deps.incidentKey,
    trail: trigger.deps.audit,
    decision: evaluatePolicy(input.policy, facts, { now: trigger.deps.clock() }),
    ruleId: "push-to-protected-branch",
    subject: { kind: "push", ref: event.ref, branch: event.name, sha: event.deleted ? event.before : event.after, url: event.compareUrl },
    policy: input.loaded,
    policyValid: input.usable,
    audit: trigger.audit,
    where: { ref: event.ref, ...(event.deleted ? {} : { headSha: event.after }) },
  });
}

/**
 * The commits new on the branch: those reachable from `after` and not from
 * `before` (compare `before...after`, a force-push included), or for a
 * created branch not from the default branch; plus every commit the payload
 * lists. A created default branch has nothing to compare with: the payload's
 * list is all there is, complete unless it holds as many commits as a
 * payload can. A deletion brings none. A GitHub failure, or a range longer
 * than can be listed, leaves the examination incomplete (fail closed).
 */
async function examineBranchCommits(trigger: PushTrigger): Promise<BranchExamination> {
  const { event } = trigger;
  const none = new Set<string>();
  if (event.deleted) return { commits: [], complete: true, createdByGitHub: none };
  if (event.created && event.name === trigger.defaultBranch) {
    const complete = event.commits.length < PUSH_PAYLOAD_MAX_COMMITS;
    return {
      commits: branchCommits(event),
      complete,
      ...(complete ? {} : { gap: `a new default branch whose push lists ${event.commits.length} commits, as many as GitHub lists` }),
      createdByGitHub: none,
    };
  }
  const base = event.created ? trigger.defaultBranch : event.before;
  try {
    const compared = await compareCommits(trigger.octokit, trigger.repo, { base, head: event.after });
    return {
      commits: branchCommits(event, compared.commits),
      complete: compared.complete,
      ...(compared.complete ? {} : { gap: `GitHub counts ${compared.total} new commits and ${compared.commits.length} were listed` }),
      createdByGitHub: compared.createdByGitHub,
    };
  } catch (error) {
    trigger.log.error({ err: error }, "could not list the commits of a push to a protected branch; failing closed");
    const gap = error instanceof GitHubFactsError ? error.message : `internal error: ${(error as Error).message}`;
    return { commits: branchCommits(event), complete: false, gap, createdByGitHub: none };
  }
}

/** GitHub never creates, deletes or force-pushes a branch to merge into it; a failure to tell is not a merge. */
async function mergeCheck(trigger: PushTrigger, examined: BranchExamination): Promise<MergeCheck> {
  const { event } = trigger;
  if (event.deleted || event.created || event.forced) return { notMerge: "GitHub's merges neither create, delete nor force-push a branch" };
  try {
    return await githubMergeOf(trigger.octokit, trigger.repo, {
      branch: event.name,
      sha: event.after,
      senderId: event.senderId,
      headCreatedByGitHub: examined.createdByGitHub.has(event.after),
    });
  } catch (error) {
    trigger.log.warn({ err: error }, "could not tell whether the push merges a pull request; judging it as a direct push");
    return { notMerge: "GitHub could not say" };
  }
}
