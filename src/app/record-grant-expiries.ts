import type { Logger } from "probot";
import { grantAuditRecord } from "../audit/grant-audit-record.js";
import type { AppDependencies } from "./dependencies.js";
import type { PullRequestEvaluation, PullRequestTrigger } from "./evaluate-pull-request.js";

/**
 * After a pull request was judged again for a grant's end (a timer, or the
 * sweep): one `expired` audit record for each grant its evaluation found run
 * out by now. Each expiry is recorded once, whoever writes it and however
 * often: the audit store keeps the first record of a grant's expiry and
 * refuses the others (`onceKeyOf`). Returns how many grants had expired.
 */
export async function recordGrantExpiries(log: Logger, deps: AppDependencies, trigger: PullRequestTrigger, result: PullRequestEvaluation | undefined): Promise<number> {
  if (!result?.grants || !result.policySource) return 0;
  const now = deps.clock();
  let expired = 0;
  for (const { grant, why } of result.grants.ledger.ended) {
    if (why !== "expired" || Date.parse(grant.expires) > now.getTime()) continue;
    expired++;
    const context = {
      time: now,
      deliveryId: trigger.deliveryId,
      ...(trigger.installationId !== undefined ? { installationId: trigger.installationId } : {}),
      repository: `${trigger.repo.owner}/${trigger.repo.repo}`,
      event: trigger.event,
      ...(trigger.action ? { action: trigger.action } : {}),
    };
    const record = grantAuditRecord(context, {
      pullRequest: trigger.number,
      headSha: result.headSha,
      event: { expired: grant },
      policy: result.policySource,
      ...(result.policy ? { rules: result.policy } : {}),
    });
    await deps.audit.write(log, record);
  }
  return expired;
}
