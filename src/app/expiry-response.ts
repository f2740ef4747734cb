import type { Logger } from "probot";
import type { AuditContext } from "../audit/audit-record.js";
import { loadPolicy } from "../github/load-policy.js";
import type { Octokit } from "../github/octokit.js";
import { cancelRevokedAgentRuns, RevokedRunsError, type RevokedRuns } from "./cancel-revoked-runs.js";
import type { AppDependencies } from "./dependencies.js";
import type { ExpiryResponse, RepositoryWalk } from "./expiry-watch.js";
import { readPolicy } from "./read-policy.js";
import { reEvaluateOpenAgentPullRequests } from "./re-evaluate-open-pull-requests.js";

/** How the app authenticates outside a webhook: as itself (no id), or as one installation. Probot's `app.auth`. */
export type Authenticate = (installationId?: number) => Promise<unknown>;

/**
 * What an ended grant does to a repository, outside any webhook: with the
 * policy as it is now, the runs of agents whose grant ended are cancelled
 * and the open agent pull requests evaluated again (event `schedule`,
 * action `agent_expired` for a timer, `sweep` for the sweep).
 */
export function respondToExpiry(auth: Authenticate, deps: AppDependencies, log: Logger): ExpiryResponse {
  return async (target, reason) => {
    const octokit = (await auth(target.installationId)) as Octokit;
    const time = deps.clock();
    const deliveryId = `schedule:${time.toISOString()}`;
    const { repo, defaultBranch } = target;
    const { loaded, error } = await readPolicy(octokit, { ...repo, defaultBranch }, deps.policyCache);
    let failure: unknown;
    let revoked: RevokedRuns | undefined;
    if (!error && loaded.result.ok) {
      const audit: AuditContext = { time, deliveryId, installationId: target.installationId, repository: `${repo.owner}/${repo.repo}`, event: "schedule", action: reason };
      revoked = await cancelRevokedAgentRuns(octokit, log, deps, { repo, loaded, policy: loaded.result.policy, audit }).catch((cause: unknown) => {
        failure = cause;
        return cause instanceof RevokedRunsError ? cause.revoked : undefined;
      });
    }
    await reEvaluateOpenAgentPullRequests(octokit, log, deps, {
      deliveryId,
      event: "schedule",
      action: reason,
      installationId: target.installationId,
      repo,
      defaultBranch,
      sender: null,
      ...(revoked?.runs.length ? { cancelledRuns: revoked.runs } : {}),
    });
    if (failure !== undefined) throw failure;
  };
}

interface ListedRepository {
  name: string;
  owner: { login: string };
  default_branch?: string;
  archived?: boolean;
}

/**
 * Every repository of every installation, with its policy (a conditional
 * read: free when unchanged). An installation or a policy that cannot be read
 * is logged and skipped for this sweep; an invalid policy is visited without
 * one (its pull requests already fail closed).
 */
export function walkInstallations(auth: Authenticate, deps: AppDependencies, log: Logger): RepositoryWalk {
  return async (visit) => {
    const app = (await auth()) as Octokit;
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    for (const installation of installations) {
      let octokit: Octokit;
      let repositories: ListedRepository[];
      try {
        octokit = (await auth(installation.id)) as Octokit;
        repositories = (await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 })) as unknown as ListedRepository[];
      } catch (error) {
        log.error({ err: error, installationId: installation.id }, "the expiry sweep could not list an installation's repositories");
        continue;
      }
      for (const repository of repositories) {
        if (repository.archived || !repository.default_branch) continue;
        const target = { installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name }, defaultBranch: repository.default_branch };
        try {
          const loaded = await loadPolicy(octokit, { ...target.repo, defaultBranch: target.defaultBranch }, deps.policyCache);
          await visit(target, loaded.result.ok ? loaded.result.policy : undefined);
        } catch (error) {
          log.error({ err: error, repository: `${target.repo.owner}/${target.repo.repo}` }, "the expiry sweep could not read a repository's policy");
        }
      }
    }
  };
}
