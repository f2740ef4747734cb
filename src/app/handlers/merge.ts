import type { Context } from "probot";
import { decisionAuditRecord } from "../../audit/audit-record.js";
import { decideMerge } from "../../engine/decide-merge.js";
import type { Actor, PullRequestFacts } from "../../engine/types.js";
import { identityOf } from "../../github/pull-request-facts.js";
import { builtInPolicy } from "../../policy/schema.js";
import { auditContextFor } from "../audit-context.js";
import { readPolicy } from "../read-policy.js";
import type { AppDependencies } from "../dependencies.js";
import { raiseIncidents } from "../raise-incidents.js";

type MergeContext = Context<"pull_request.closed" | "pull_request.auto_merge_enabled">;

/**
 * A pull request was merged, or its auto-merge enabled: an incident when an
 * assistant did it (the merger, `merged_by`; for auto-merge the sender and
 * `auto_merge.enabled_by`). A pull request closed without merging is not a
 * merge; a human's merge needs nothing (the change was judged while open).
 * The policy is read first, as declared agents may be recognised by
 * identities the catalogue does not know; while it is unreadable or invalid,
 * catalogue assistants are still recognised, and a merge with no recognised
 * assistant is audited as an error, since a declared one could not be ruled out.
 */
export function handleMerge(deps: AppDependencies) {
  return async (context: MergeContext): Promise<void> => {
    const { payload } = context;
    const pr = payload.pull_request;
    const actors = mergeActors(payload);
    if (actors.length === 0) return;

    const log = context.log.child({ deliveryId: context.id });
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const defaultBranch = payload.repository.default_branch;
    const audit = auditContextFor(context, deps.clock());

    const { loaded, error: loadError, cause } = await readPolicy(context.octokit, { ...repo, defaultBranch }, deps.policyCache);
    if (loadError) log.error({ err: cause }, "could not read the policy for a merge; judging with the catalogue only");
    const policyValid = loaded.result.ok;
    const facts: PullRequestFacts = {
      kind: "pull_request",
      repository: { owner: repo.owner, name: repo.repo, defaultBranch },
      number: pr.number,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      actors,
      commits: [],
      commitsComplete: true,
      files: [],
      changedFiles: 0,
      policyPaths: [loaded.path],
    };
    const decision = decideMerge(loaded.result.ok ? loaded.result.policy : builtInPolicy(), facts, { now: deps.clock() });
    const where = { pullRequest: pr.number, headSha: pr.head.sha, ref: pr.base.ref };

    if (decision.findings.some((f) => f.ruleId === "merge-by-agent")) {
      await raiseIncidents(context.octokit, log, {
        repo,
        markerKey: deps.incidentKey,
        trail: deps.audit,
        decision,
        ruleId: "merge-by-agent",
        subject: { kind: "pull_request", number: pr.number, url: pr.html_url, sha: pr.merge_commit_sha ?? pr.head.sha },
        policy: loaded,
        policyValid,
        audit,
        where,
      });
      return;
    }
    if (!policyValid) {
      const error = loadError ?? `${loaded.path} is invalid, so a declared assistant could not be recognised`;
      const record = decisionAuditRecord(audit, {
        decision,
        policy: loaded,
        policyValid: loadError !== undefined,
        response: "none",
        error,
        extraRuleIds: [loadError ? "facts-unavailable" : "policy-invalid"],
        assets: [`change:#${pr.number}`],
        ...where,
      });
      await deps.audit.write(log, record);
    }
  };
}

/** Who merged, or who enabled auto-merge; none for a pull request closed without merging. */
function mergeActors(payload: MergeContext["payload"]): Actor[] {
  const pr = payload.pull_request;
  if (payload.action === "closed") {
    return pr.merged && pr.merged_by ? [{ role: "merged_by", identity: identityOf(pr.merged_by) }] : [];
  }
  const enablers = [payload.sender, pr.auto_merge?.enabled_by].filter((a) => a !== null && a !== undefined);
  return enablers.map((account) => ({ role: "auto_merge_enabler", identity: identityOf(account) }));
}
