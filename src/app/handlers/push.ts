import type { Context } from "probot";
import { evaluatePolicy } from "../../engine/evaluate-policy.js";
import { identifyAgents } from "../../engine/identify-agents.js";
import { isProtectedBranch } from "../../engine/protected-branch.js";
import { decodePush, ownCommits, pushFacts } from "../../github/push-event.js";
import { builtInPolicy } from "../../policy/schema.js";
import { auditContextFor } from "../audit-context.js";
import { readPolicy } from "../read-policy.js";
import type { AppDependencies } from "../dependencies.js";
import { auditPush, evaluatePush, failPushClosed, type PushTrigger } from "../evaluate-push.js";
import { judgeProtectedPush } from "../protected-push.js";
import { pushMayChangePolicy } from "../policy-change.js";
import { reEvaluateOrganisation } from "../re-evaluate-organisation.js";
import { BASELINE_REPOSITORY, forgetBaseline } from "../../github/load-baseline.js";
import { endRevokedWork } from "../end-revoked-work.js";

/**
 * A branch or tag was pushed. A push to the default branch that may change
 * the policy also re-evaluates the repository's open agent pull requests, so
 * a narrowed or suspended agent's open work takes the new verdict at once,
 * after the workflow runs of agents whose grant has ended are cancelled
 * (`endRevokedWork`; in every repository of the organisation when the org
 * baseline changed); each cancelled run is a line in the check of the pull
 * request it belongs to.
 *
 *
 * decode → load policy → who is an assistant (pusher, sender, and the
 * author, committer and trailers of each of the push's own commits, see
 * `ownCommits`) → then by case:
 * - a tag: out of scope (tags are not branches; releases are guarded by the
 *   deployment rules); an assistant's tag push is audited only;
 * - a protected branch: every commit new on it is examined, whoever pushed,
 *   and each assistant seen is an incident (see `judgeProtectedPush`);
 * - policy unreadable or invalid: fail closed (`failPushClosed`);
 * - no assistant: nothing (the policy read is the only call);
 * - a deleted branch: nothing to check; audited with the identity rules' verdict;
 * - otherwise: the pushed changes are judged and reported (`evaluatePush`).
 * The policy is read first because declared agents may be recognised by ids,
 * logins or e-mails the catalogue does not know. While it is unusable, known
 * assistants are still recognised from the catalogue, so a push of theirs to
 * the default branch is still an incident.
 */
export function handlePush(deps: AppDependencies) {
  const judge = judgePush(deps);
  return async (context: Context<"push">): Promise<void> => {
    const { payload } = context;
    if (!pushMayChangePolicy(payload)) return judge(context);
    // The push is judged first and its failure kept for the end: the open work is evaluated again whatever happened to it.
    let failure: unknown;
    try {
      await judge(context);
    } catch (error) {
      failure = error;
    }
    const repo = { owner: payload.repository.owner?.login ?? payload.repository.full_name.split("/")[0]!, repo: payload.repository.name };
    if (repo.repo.toLowerCase() === BASELINE_REPOSITORY) forgetBaseline(deps.policyCache, repo.owner);
    const log = context.log.child({ deliveryId: context.id });
    const defaultBranch = payload.repository.default_branch;
    const action = "policy_changed";
    const trigger = {
      deliveryId: context.id,
      event: context.name,
      action,
      ...(payload.installation ? { installationId: payload.installation.id } : {}),
      sender: payload.sender ?? null,
    };
    const audit = { ...auditContextFor(context, deps.clock()), action };
    try {
      await endRevokedWork(context.octokit, log, deps, { ...trigger, repo, defaultBranch }, audit);
    } catch (error) {
      failure ??= error;
    }
    // The `.github` repository's policy is the org baseline: every repository's open work stands on it.
    if (repo.repo.toLowerCase() === BASELINE_REPOSITORY) {
      await reEvaluateOrganisation(context.octokit, log, deps, { ...trigger, action: "baseline_changed" }, { ...audit, action: "baseline_changed" });
    }
    if (failure !== undefined) throw failure;
  };
}

/** Where GitHub keeps a merge queue's groups: `gh-readonly-queue/<base>/pr-<n>-<sha>`. */
const MERGE_QUEUE_PREFIX = "gh-readonly-queue/";

/** The push's own judgement (see `handlePush`). */
function judgePush(deps: AppDependencies) {
  return async (context: Context<"push">): Promise<void> => {
    const { payload } = context;
    const log = context.log.child({ deliveryId: context.id });
    const event = decodePush(payload);
    if (event.refType === "other") {
      log.debug({ ref: event.ref }, "push of a ref that is neither a branch nor a tag; out of scope");
      return;
    }
    const repo = { owner: payload.repository.owner?.login ?? payload.repository.full_name.split("/")[0]!, repo: payload.repository.name };
    const defaultBranch = payload.repository.default_branch;
    const trigger: PushTrigger = {
      octokit: context.octokit,
      log,
      deps,
      repo,
      defaultBranch,
      event: { ...event, refType: event.refType },
      audit: auditContextFor(context, deps.clock()),
    };

    const { loaded, error: loadError, cause } = await readPolicy(context.octokit, { ...repo, defaultBranch }, deps.policyCache);
    if (loadError) log.error({ err: cause }, "could not read the policy for a push; failing closed");
    const usable = loaded.result.ok ? loaded.result.policy : undefined;
    const policy = usable ?? builtInPolicy();
    const facts = pushFacts(trigger.event, {
      repository: { owner: repo.owner, name: repo.repo, defaultBranch },
      policyPaths: [loaded.path],
      commits: ownCommits(event),
    });
    const agents = identifyAgents(policy, facts);
    const protectedBranch = trigger.event.refType === "branch" && isProtectedBranch(policy, event.name, defaultBranch);

    if (trigger.event.refType === "tag") {
      if (!usable) return failPushClosed(trigger, loaded, loadError);
      if (agents.length > 0) {
        const decision = evaluatePolicy(policy, facts, { now: deps.clock() });
        await auditPush(trigger, loaded, { decision, response: "none", policyValid: true }, { outOfScope: "tag" });
      }
      return;
    }
    if (protectedBranch) return judgeProtectedPush(trigger, { loaded, policy, usable: usable !== undefined, loadError });
    if (!usable) return failPushClosed(trigger, loaded, loadError);
    if (agents.length === 0) {
      log.debug({ ref: event.ref }, "no AI assistant in this push");
      return;
    }
    if (event.deleted) {
      const decision = evaluatePolicy(policy, facts, { now: deps.clock() });
      await auditPush(trigger, loaded, { decision, response: "none", policyValid: true }, { before: event.before });
      return;
    }
    // GitHub's push creating a merge queue's branch is judged as the group it holds (see `handleMergeGroup`).
    const queued = event.name.startsWith(MERGE_QUEUE_PREFIX);
    await evaluatePush(queued ? { ...trigger, mergeGroup: {} } : trigger, loaded, usable);
  };
}
