import type { Context } from "probot";
import { evaluatePolicy } from "../../engine/evaluate-policy.js";
import type { ChangeFacts } from "../../engine/types.js";
import { buildAuditRecord } from "../../audit/audit-record.js";
import { GitHubFactsError } from "../../github/errors.js";
import { loadPolicy, type LoadedPolicy } from "../../github/load-policy.js";
import { checkProposedPolicy } from "../../github/proposed-policy.js";
import { publishCheckRun } from "../../github/publish-check-run.js";
import { gatherPullRequestFacts } from "../../github/pull-request-facts.js";
import { renderCheckRun, type CheckReport } from "../../report/check-run-output.js";
import type { AppDependencies } from "../dependencies.js";

export const PULL_REQUEST_ACTIONS = ["opened", "reopened", "synchronize", "edited", "ready_for_review"] as const;

type PullRequestContext = Context<`pull_request.${(typeof PULL_REQUEST_ACTIONS)[number]}`>;

/**
 * decode → load policy → gather facts → evaluate → report → audit.
 * Fails closed: any failure before the report becomes a `failure` check run
 * that says why; only a failure to post that check escapes (and is logged
 * with the delivery id so the event can be redelivered).
 */
export function handlePullRequest(deps: AppDependencies) {
  return async (context: PullRequestContext): Promise<void> => {
    const { payload } = context;
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const defaultBranch = payload.repository.default_branch;
    const log = context.log.child({ deliveryId: context.id, repository: `${repo.owner}/${repo.repo}`, pullRequest: payload.number });

    let headSha = payload.pull_request.head.sha;
    let detailsUrl = payload.pull_request.html_url;
    let loaded: LoadedPolicy = { source: "repository", path: ".agent-policy.yml", ref: defaultBranch, result: { ok: false, issues: [] } };
    let report: CheckReport;
    try {
      loaded = await loadPolicy(context.octokit, { ...repo, defaultBranch }, deps.policyCache);
      const { facts, pull } = await gatherPullRequestFacts(context.octokit, repo, {
        number: payload.number,
        sender: payload.sender,
        policyPaths: [loaded.path],
      });
      headSha = pull.headSha;
      detailsUrl = pull.htmlUrl;
      report = await evaluate(context, repo, loaded, facts, deps.clock());
    } catch (error) {
      const reason = error instanceof GitHubFactsError ? error.message : `internal error: ${(error as Error).message}`;
      log.error({ err: error }, "could not evaluate the pull request; failing closed");
      report = { policy: loaded, error: reason };
    }

    const output = renderCheckRun(report);
    const published = await publishCheckRun(context.octokit, repo, { headSha, output, detailsUrl, completedAt: deps.clock(), ...(deps.appId ? { appId: deps.appId } : {}) });
    const record = buildAuditRecord({
      time: deps.clock(),
      deliveryId: context.id,
      ...(payload.installation ? { installationId: payload.installation.id } : {}),
      repository: `${repo.owner}/${repo.repo}`,
      event: context.name,
      action: payload.action,
      ...(payload.sender ? { actor: { login: payload.sender.login, id: payload.sender.id } } : {}),
      pullRequest: payload.number,
      headSha,
      report,
      conclusion: output.conclusion,
      checkRunId: published.id,
    });
    log.info({ audit: record, checkRunCreated: published.created }, `agent-policy decision: ${record.decision} (${output.conclusion})`);
  };
}

async function evaluate(
  context: PullRequestContext,
  repo: { owner: string; repo: string },
  loaded: LoadedPolicy,
  facts: ChangeFacts,
  now: Date,
): Promise<CheckReport> {
  const proposed = await checkProposedPolicy(context.octokit, repo, { headSha: facts.headSha, files: facts.files });
  const extra: Partial<CheckReport> = {
    ...(proposed?.issues.length ? { proposedPolicyIssues: proposed.issues } : {}),
    ...(proposed?.removed ? { proposedPolicyRemoved: true } : {}),
  };
  if (!loaded.result.ok) return { policy: loaded, policyIssues: loaded.result.issues, ...extra };
  const decision = evaluatePolicy(loaded.result.policy, facts, { now });
  return { policy: loaded, decision, ...extra };
}
