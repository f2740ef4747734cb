import type { Logger } from "probot";
import type { AuditContext } from "../audit/audit-record.js";
import { cancelRevokedAgentRuns, RevokedRunsError, type RevokedRuns } from "./cancel-revoked-runs.js";
import type { Octokit } from "../github/octokit.js";
import type { AppDependencies } from "./dependencies.js";
import { readPolicy } from "./read-policy.js";
import { reEvaluateOpenAgentPullRequests, type OpenWorkTrigger } from "./re-evaluate-open-pull-requests.js";

/**
 * What a repository's policy in force just changed (its own file, or the org
 * baseline under it) does to the work already under way there: first the
 * workflow runs of agents whose authority has ended (`suspended`, past
 * `expires`) are cancelled, since they act now; the agents' expiries are
 * watched from the new policy; then the open agent pull requests are judged
 * again, each cancelled run a line in the check of the pull request it
 * belongs to. A policy that cannot be read or does not validate cancels
 * nothing (the re-evaluation then fails those checks closed). Every step
 * runs whatever the one before did; the first failure is thrown at the end.
 */
export async function endRevokedWork(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: OpenWorkTrigger, audit: AuditContext): Promise<void> {
  const { repo, defaultBranch } = trigger;
  let failure: unknown;
  const { loaded, error } = await readPolicy(octokit, { ...repo, defaultBranch }, deps.policyCache);
  let revoked: RevokedRuns | undefined;
  if (!error && loaded.result.ok) {
    const policy = loaded.result.policy;
    revoked = await cancelRevokedAgentRuns(octokit, log, deps, { repo, loaded, policy, audit: { ...audit, repository: `${repo.owner}/${repo.repo}` } }).catch((cause: unknown) => {
      failure = cause;
      return cause instanceof RevokedRunsError ? cause.revoked : undefined;
    });
    if (trigger.installationId !== undefined) deps.expiries?.watch({ installationId: trigger.installationId, repo, defaultBranch }, policy);
  }
  try {
    await reEvaluateOpenAgentPullRequests(octokit, log, deps, { ...trigger, ...(revoked?.runs.length ? { cancelledRuns: revoked.runs } : {}) });
  } catch (cause) {
    failure ??= cause;
  }
  if (failure !== undefined) throw failure;
}
