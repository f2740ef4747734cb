import type { Context } from "probot";
import { grantAuditRecord, type GrantEvent } from "../../audit/grant-audit-record.js";
import { refuseNonPerson, type GrantOutcome } from "../../engine/grants/decide-grants.js";
import { parseGrantCommand } from "../../engine/grants/grant-command.js";
import { answerCommand } from "../../github/answer-command.js";
import { loadPolicy } from "../../github/load-policy.js";
import { identityOf } from "../../github/pull-request-facts.js";
import type { Policy } from "../../policy/schema.js";
import { renderGrantReply, renderUndecidedReply } from "../../report/grant-reply.js";
import type { AppDependencies } from "../dependencies.js";
import { evaluatePullRequest, type PullRequestTrigger } from "../evaluate-pull-request.js";
import { failureReason } from "../failure-reason.js";

export const ISSUE_COMMENT_ACTIONS = ["created", "edited", "deleted"] as const;
type IssueCommentContext = Context<`issue_comment.${(typeof ISSUE_COMMENT_ACTIONS)[number]}`>;

/**
 * A comment on a pull request. Only a command (`/agent-policy grant|revoke`)
 * costs anything: any other comment is dropped before a single API call.
 *
 * created: a command the payload alone refuses (not a command the app
 * accepts; a deleted account, an AI assistant or a bot as its author) is
 * answered without evaluating the pull request, so an agent posting commands
 * spends one answer each and nothing more. Otherwise the pull request is
 * evaluated with its grants (the check names them) and the command is
 * answered from that evaluation. edited / deleted: never creates a grant (an
 * edited comment is ignored for good); when the comment was a command, the
 * pull request is evaluated again, since a grant may have ended. Every answer
 * is one comment, found again on redelivery, and one audit record.
 */
export function handleIssueComment(deps: AppDependencies) {
  return async (context: IssueCommentContext): Promise<void> => {
    const { payload } = context;
    if (!payload.issue.pull_request) return;
    const command = parseGrantCommand(payload.comment.body ?? "");
    const previous = payload.action === "edited" ? parseGrantCommand(payload.changes?.body?.from ?? "") : undefined;
    if (!command && !previous) return;
    const log = context.log.child({ deliveryId: context.id });
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const number = payload.issue.number;
    const trigger: PullRequestTrigger = {
      deliveryId: context.id,
      event: context.name,
      action: payload.action,
      ...(payload.installation ? { installationId: payload.installation.id } : {}),
      repo,
      defaultBranch: payload.repository.default_branch,
      number,
      headSha: "",
      detailsUrl: payload.issue.html_url,
      sender: payload.sender ?? null,
      senderActed: false,
    };
    if (payload.action !== "created") {
      if (payload.issue.state === "open") await evaluatePullRequest(context.octokit, log, deps, trigger);
      return;
    }

    const comment = payload.comment;
    const author = comment.user ? identityOf(comment.user) : null;
    const answer = async (outcome: GrantOutcome | { undecided: string }, policy: { loaded: Awaited<ReturnType<typeof loadPolicy>>; rules?: Policy }, known?: Map<number, number>, headSha?: string) => {
      let reply: { id: number } | { error: string };
      let posted = false;
      let failure: unknown;
      try {
        const body = "undecided" in outcome ? (m: string) => renderUndecidedReply(m, outcome.undecided) : (m: string) => renderGrantReply(m, outcome);
        const answered = await answerCommand(context.octokit, repo, {
          number,
          commentId: comment.id,
          commentCreatedAt: comment.created_at,
          body,
          ...(known ? { known } : {}),
          ...(deps.appId ? { appId: deps.appId } : {}),
        });
        reply = { id: answered.id };
        posted = answered.posted;
      } catch (error) {
        reply = { error: failureReason(error) };
        failure = error;
      }
      // A redelivery that finds the answer already posted adds no second record of it.
      if (!posted && "id" in reply) return;
      const event: GrantEvent = "undecided" in outcome ? { outcome: { commentId: comment.id, status: "refused", command: command!.kind, reason: outcome.undecided } } : { outcome };
      const record = grantAuditRecord(
        {
          time: deps.clock(),
          deliveryId: context.id,
          ...(payload.installation ? { installationId: payload.installation.id } : {}),
          repository: `${repo.owner}/${repo.repo}`,
          event: context.name,
          action: payload.action,
          ...(author?.login ? { actor: { login: author.login, ...(author.id !== undefined ? { id: author.id } : {}) } } : {}),
        },
        { pullRequest: number, ...(headSha ? { headSha } : {}), event, policy: policy.loaded, ...(policy.rules ? { rules: policy.rules } : {}), reply },
      );
      await deps.audit.write(log, record);
      // The answer is missing: the delivery fails, so it can be redelivered (and answered then).
      if (failure !== undefined) throw failure;
    };

    if (!command) return;
    const loaded = await loadPolicy(context.octokit, { ...repo, defaultBranch: payload.repository.default_branch }, deps.policyCache);
    if (!loaded.result.ok) return answer({ undecided: `${loaded.path} on ${loaded.ref} does not validate, so nothing can be granted or revoked until it is fixed.` }, { loaded });
    const rules = loaded.result.policy;
    if (payload.issue.state !== "open") return answer({ undecided: "This pull request is closed; a grant ends when its pull request closes." }, { loaded, rules });
    const early = command.kind === "invalid" ? `This is not a command the app accepts: ${command.problem}.` : refuseNonPerson(rules, author, command.kind);
    if (early) {
      const outcome: GrantOutcome = {
        commentId: comment.id,
        status: "refused",
        command: command.kind,
        ...(command.kind !== "invalid" ? { agent: command.agent } : {}),
        ...(author?.login ? { by: author.login } : {}),
        reason: early,
        ...(command.kind !== "invalid" ? { nonPerson: true as const } : {}),
      };
      return answer(outcome, { loaded, rules });
    }

    const evaluated = await evaluatePullRequest(context.octokit, log, deps, { ...trigger, grantCommand: true });
    if (!evaluated?.grants) {
      // Not answered: a later evaluation reads the command again, and a redelivery answers it.
      log.error({ commentId: comment.id, reason: evaluated?.grantsError }, "could not decide the command; not answered");
      if (evaluated?.cause !== undefined) throw evaluated.cause;
      return;
    }
    const outcome = evaluated.grants.ledger.outcomes.find((o) => o.commentId === comment.id);
    if (!outcome) {
      log.warn({ commentId: comment.id }, "the command comment was not among the pull request's unedited comments; not answered");
      return;
    }
    await answer(outcome, { loaded, rules }, evaluated.grants.replies, evaluated.headSha);
  };
}
