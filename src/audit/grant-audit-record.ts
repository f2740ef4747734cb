import type { ActiveGrant, GrantOutcome } from "../engine/grants/decide-grants.js";
import type { Policy } from "../policy/schema.js";
import type { PolicySource } from "../report/check-run-output.js";
import { auditGrantOf, decisionAuditRecord, type AuditContext, type AuditGrant, type AuditRecord, type GrantAuditAction } from "./audit-record.js";

/** What one grant record is about: a command's outcome, or a grant that ran out. */
export type GrantEvent = { outcome: GrantOutcome } | { expired: ActiveGrant };

/**
 * The audit record of a grant, a refusal, a revocation or an expiry on one
 * pull request. `decision` is the command's answer: `allow` for a grant,
 * revocation or expiry, `deny` for a refusal; a refusal because an
 * assistant or a bot asked is `critical` (an agent tried to widen its own
 * authority). `response` is `grant_reply` when the app answered with a
 * comment (`target`), `none` for an expiry, which needs no answer.
 */
export function grantAuditRecord(
  context: AuditContext,
  input: { pullRequest: number; headSha?: string; event: GrantEvent; policy: PolicySource; rules?: Policy; reply?: { id: number } | { error: string } },
): AuditRecord {
  const { action, grants, commentId, agent, refusal, critical } = describe(input.event);
  const owner = agent && input.rules && Object.hasOwn(input.rules.agents, agent) ? input.rules.agents[agent]!.owner : undefined;
  const base = decisionAuditRecord(context, {
    policy: input.policy,
    policyValid: true,
    response: input.reply ? "grant_reply" : "none",
    pullRequest: input.pullRequest,
    ...(input.headSha ? { headSha: input.headSha } : {}),
    ...(grants.length ? { grants } : {}),
    ...(input.reply && "id" in input.reply ? { target: { kind: "issue_comment", id: input.reply.id } } : {}),
    ...(input.reply && "error" in input.reply ? { responseError: `could not answer the command: ${input.reply.error}` } : {}),
    severity: critical ? "critical" : "info",
    assets: grants.flatMap((g) => g.scope.map((s) => s.replace(/^(path|branch|workflow|environment)s:/, "$1:"))),
  });
  return {
    ...base,
    decision: action === "refused" ? "deny" : "allow",
    agents: agent ? [{ key: agent, declared: owner !== undefined, ...(owner ? { owner } : {}) }] : [],
    grantAction: action,
    commandCommentId: commentId,
    ...(refusal ? { refusal } : {}),
  };
}

function describe(event: GrantEvent): { action: GrantAuditAction; grants: AuditGrant[]; commentId: number; agent?: string; refusal?: string; critical: boolean } {
  if ("expired" in event) return { action: "expired", grants: [auditGrantOf(event.expired)], commentId: event.expired.commentId, agent: event.expired.agent, critical: false };
  const { outcome } = event;
  switch (outcome.status) {
    case "granted":
      return { action: "granted", grants: [auditGrantOf(outcome.grant)], commentId: outcome.commentId, agent: outcome.grant.agent, critical: false };
    case "revoked":
      return { action: "revoked", grants: outcome.ended.map(auditGrantOf), commentId: outcome.commentId, agent: outcome.agent, critical: false };
    case "refused":
      return {
        action: "refused",
        grants: [],
        commentId: outcome.commentId,
        ...(outcome.agent ? { agent: outcome.agent } : {}),
        refusal: outcome.reason,
        critical: outcome.nonPerson === true,
      };
  }
}
