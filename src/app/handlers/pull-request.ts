import type { Context } from "probot";
import type { AppDependencies } from "../dependencies.js";
import { evaluatePullRequest } from "../evaluate-pull-request.js";
import { pullFromPayload } from "../payload-pull.js";

export const PULL_REQUEST_ACTIONS = ["opened", "reopened", "synchronize", "edited", "ready_for_review"] as const;

type PullRequestContext = Context<`pull_request.${(typeof PULL_REQUEST_ACTIONS)[number]}`>;

/** A pull request was opened or changed: the sender acted on it, so it is one of the change's actors. */
export function handlePullRequest(deps: AppDependencies) {
  return async (context: PullRequestContext): Promise<void> => {
    const { payload } = context;
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    // A push's event carries the pull request as it was at that push: it is not read again unless its head is no longer the one listed.
    const pull = payload.action === "synchronize" ? pullFromPayload(payload.pull_request) : undefined;
    await evaluatePullRequest(context.octokit, context.log.child({ deliveryId: context.id }), deps, {
      deliveryId: context.id,
      event: context.name,
      action: payload.action,
      ...(payload.installation ? { installationId: payload.installation.id } : {}),
      repo,
      defaultBranch: payload.repository.default_branch,
      number: payload.number,
      headSha: payload.pull_request.head.sha,
      detailsUrl: payload.pull_request.html_url,
      sender: payload.sender ?? null,
      senderActed: true,
      // A push carries the previous head's record over: who pushed before still took part in the change.
      ...(payload.action === "synchronize" ? { before: payload.before } : {}),
      ...(pull ? { pull } : {}),
    });
  };
}
