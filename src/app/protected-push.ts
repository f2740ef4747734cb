import { evaluatePolicy } from "../engine/evaluate-policy.js";
import type { Policy, PushFacts } from "../engine/types.js";
import type { LoadedPolicy } from "../github/load-policy.js";
import { mergedPullRequestOf } from "../github/push-pull-requests.js";
import type { PushTrigger } from "./evaluate-push.js";
import { raiseIncidents } from "./raise-incidents.js";

/**
 * An assistant took part in a push to a protected branch: an incident for
 * every assistant in it.
 *
 * `facts` are the push's, with its own commits only (see `ownCommits`): a
 * feature branch's commits arriving on `main` by a merge were judged where
 * they were first pushed. A push that is GitHub merging a pull request (a
 * squash or rebase merge creates new commits authored by the pull request's
 * assistant) is left to `merge-by-agent`; when GitHub cannot say whether it
 * is one, it is taken as a direct push (fail closed).
 */
export async function raiseProtectedPushIncidents(
  trigger: PushTrigger,
  input: { loaded: LoadedPolicy; policy: Policy; policyValid: boolean; facts: PushFacts },
): Promise<void> {
  const { event, repo, log } = trigger;
  if (!event.deleted && !event.created && !event.forced) {
    let merged: number | undefined;
    try {
      merged = await mergedPullRequestOf(trigger.octokit, repo, event.after);
    } catch (error) {
      log.warn({ err: error }, "could not tell whether the push merges a pull request; judging it as a direct push");
    }
    if (merged !== undefined) {
      log.info({ ref: event.ref, pullRequest: merged }, `push to ${event.name} merges pull request #${merged}; judged as a merge`);
      return;
    }
  }
  await raiseIncidents(trigger.octokit, log, {
    repo,
    markerKey: trigger.deps.incidentKey,
    trail: trigger.deps.audit,
    decision: evaluatePolicy(input.policy, input.facts, { now: trigger.deps.clock() }),
    ruleId: "push-to-protected-branch",
    subject: { kind: "push", ref: event.ref, branch: event.name, sha: event.deleted ? event.before : event.after, url: event.compareUrl },
    policy: input.loaded,
    policyValid: input.policyValid,
    audit: trigger.audit,
    where: { ref: event.ref, ...(event.deleted ? {} : { headSha: event.after }) },
  });
}
