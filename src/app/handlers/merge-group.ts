import type { Context } from "probot";
import type { PushEvent } from "../../github/push-event.js";
import { auditContextFor } from "../audit-context.js";
import type { AppDependencies } from "../dependencies.js";
import { evaluatePush, failPushClosed, type PushTrigger } from "../evaluate-push.js";
import { readPolicy } from "../read-policy.js";

/**
 * A merge queue asks for checks on a group: the "Agent Policy" check is
 * posted on the group's head commit, so a repository that requires it can
 * use a merge queue without the queue waiting forever.
 *
 * The group is judged like a push of its head onto its base: every change
 * and every commit in `base_sha...head_sha` (compare API, paged; fail
 * closed when not all can be listed), with the pull requests' own commits
 * and their authors, committers and trailers. An assistant's work in the
 * group is held to its grant (paths, secrets, workflows, …) with the policy
 * as it is now on the default branch, so a pull request queued before its
 * agent was suspended or narrowed does not land. The queue's branch itself
 * is GitHub's and is not held to the agents' `branches`. A group without
 * assistants gets `success`; an unusable policy fails closed.
 */
export function handleMergeGroup(deps: AppDependencies) {
  return async (context: Context<"merge_group.checks_requested">): Promise<void> => {
    const { payload } = context;
    const group = payload.merge_group;
    // GitHub's type leaves the repository optional; the payload's shape was checked to have it (payload-shapes.ts).
    const repository = payload.repository as NonNullable<typeof payload.repository>;
    const repo = { owner: repository.owner.login, repo: repository.name };
    const defaultBranch = repository.default_branch;
    const log = context.log.child({ deliveryId: context.id });
    const name = group.head_ref.replace(/^refs\/heads\//, "");
    const event: PushEvent & { refType: "branch" } = {
      ref: group.head_ref.startsWith("refs/") ? group.head_ref : `refs/heads/${group.head_ref}`,
      refType: "branch",
      name,
      before: group.base_sha,
      after: group.head_sha,
      created: false,
      deleted: false,
      forced: false,
      compareUrl: `https://github.com/${repo.owner}/${repo.repo}/compare/${group.base_sha}...${group.head_sha}`,
      // Whoever asked for the checks did not write the group's changes; its commits say who did.
      actors: [],
      commits: [],
    };
    const trigger: PushTrigger = {
      octokit: context.octokit,
      log,
      deps,
      repo,
      defaultBranch,
      event,
      audit: auditContextFor({ id: context.id, name: context.name, payload: { ...payload, repository } }, deps.clock()),
      mergeGroup: { baseRef: group.base_ref },
    };
    const { loaded, error, cause } = await readPolicy(context.octokit, { ...repo, defaultBranch }, deps.policyCache);
    if (error) log.error({ err: cause }, "could not read the policy for a merge group; failing closed");
    if (!loaded.result.ok || error) return failPushClosed(trigger, loaded, error);
    await evaluatePush(trigger, loaded, loaded.result.policy);
  };
}
