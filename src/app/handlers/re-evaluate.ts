import type { Context } from "probot";
import { step } from "../../github/errors.js";
import type { Octokit } from "../../github/octokit.js";
import { RE_EVALUATE_ACTION } from "../../report/check-run-output.js";
import type { AppDependencies } from "../dependencies.js";
import { evaluatePullRequest, type PullRequestTrigger } from "../evaluate-pull-request.js";
import type { ReviewTrigger } from "../review-gate.js";

type ReviewContext = Context<"pull_request_review.submitted" | "pull_request_review.dismissed">;
type CheckRunContext = Context<"check_run.rerequested" | "check_run.requested_action">;
type CheckSuiteContext = Context<"check_suite.rerequested">;

interface Repository {
  name: string;
  owner: { login: string };
  default_branch: string;
}

function base(context: { id: string; name: string }, payload: { action?: string; installation?: { id: number }; repository: Repository }) {
  return {
    deliveryId: context.id,
    event: context.name,
    ...(payload.action ? { action: payload.action } : {}),
    ...(payload.installation ? { installationId: payload.installation.id } : {}),
    repo: { owner: payload.repository.owner.login, repo: payload.repository.name },
    defaultBranch: payload.repository.default_branch,
  };
}

/**
 * A review was submitted or dismissed: evaluate again when the review
 * can change the verdict (see review-gate.ts), so approvals at the head
 * commit can satisfy a step-up and a dismissal or a change request can hold
 * it again. The sender is the reviewer, not an actor of the change.
 */
export function handlePullRequestReview(deps: AppDependencies) {
  return async (context: ReviewContext): Promise<void> => {
    const { payload } = context;
    await evaluatePullRequest(context.octokit, context.log.child({ deliveryId: context.id }), deps, {
      ...base(context, payload),
      number: payload.pull_request.number,
      headSha: payload.pull_request.head.sha,
      detailsUrl: payload.pull_request.html_url,
      sender: payload.sender,
      senderActed: false,
      review: reviewTrigger(payload),
    });
  };
}

/** The review as the gate reads it; a field of the wrong type is left unknown, which evaluates. */
function reviewTrigger(payload: ReviewContext["payload"]): ReviewTrigger {
  const review = (payload as { review?: { state?: unknown; user?: unknown } }).review;
  const account = (value: unknown) => {
    if (typeof value !== "object" || value === null) return null;
    const { login, id, type } = value as Record<string, unknown>;
    return { ...(typeof login === "string" ? { login } : {}), ...(typeof id === "number" ? { id } : {}), ...(typeof type === "string" ? { type } : {}) };
  };
  return {
    action: payload.action,
    state: typeof review?.state === "string" ? review.state : "unknown",
    reviewer: account(review?.user),
    author: account(payload.pull_request.user),
    number: payload.pull_request.number,
  };
}

/** The native "Re-run" of our check, or its "Re-evaluate" button: evaluate every pull request of that commit again. */
export function handleCheckRun(deps: AppDependencies) {
  return async (context: CheckRunContext): Promise<void> => {
    const { payload } = context;
    if (payload.action === "requested_action" && payload.requested_action?.identifier !== RE_EVALUATE_ACTION.identifier) return;
    if (deps.appId && payload.check_run.app?.id !== deps.appId) return;
    await reEvaluateCommit(context, deps, base(context, payload), payload.check_run.head_sha, payload.check_run.pull_requests);
  };
}

/** "Re-run all checks" on a suite that holds our check. */
export function handleCheckSuite(deps: AppDependencies) {
  return async (context: CheckSuiteContext): Promise<void> => {
    const { payload } = context;
    await reEvaluateCommit(context, deps, base(context, payload), payload.check_suite.head_sha, payload.check_suite.pull_requests);
  };
}

async function reEvaluateCommit(
  context: { octokit: Octokit; log: CheckRunContext["log"]; id: string; payload: { sender?: { login: string; id: number } | null } },
  deps: AppDependencies,
  common: ReturnType<typeof base>,
  headSha: string,
  listed: readonly { number: number }[],
): Promise<void> {
  // GitHub leaves `pull_requests` empty for pull requests from forks; ask which pull requests hold the commit.
  let numbers = listed.map((p) => p.number);
  if (numbers.length === 0) {
    const { data } = await step(`list the pull requests of commit ${headSha.slice(0, 7)}`, () =>
      context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: common.repo.owner, repo: common.repo.repo, commit_sha: headSha }),
    );
    numbers = data.filter((p) => p.state === "open").map((p) => p.number);
  }
  const log = context.log.child({ deliveryId: context.id });
  if (numbers.length === 0) log.info({ headSha }, "re-evaluation requested for a commit with no open pull request; nothing to do");
  for (const number of [...new Set(numbers)].sort((a, b) => a - b)) {
    const trigger: PullRequestTrigger = {
      ...common,
      number,
      headSha,
      detailsUrl: `https://github.com/${common.repo.owner}/${common.repo.repo}/pull/${number}`,
      sender: context.payload.sender ?? null,
      senderActed: false,
    };
    await evaluatePullRequest(context.octokit, log, deps, trigger);
  }
}
