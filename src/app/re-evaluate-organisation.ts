import type { Logger } from "probot";
import { BASELINE_REPOSITORY } from "../github/load-baseline.js";
import { listInstallationRepositories } from "../github/installation-repositories.js";
import type { Octokit } from "../github/octokit.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";
import type { AuditContext } from "../audit/audit-record.js";
import { endRevokedWork } from "./end-revoked-work.js";
import type { OpenWorkTrigger } from "./re-evaluate-open-pull-requests.js";

/** How many repositories a change of the org baseline re-evaluates; the rest are judged on their next event (logged). */
export const MAX_ORG_REPOSITORIES = 100;

/**
 * After the org baseline changed (a push to the `.github` repository's default
 * branch that may touch `.agent-policy.yml`): every other repository the
 * installation reaches has its open agent pull requests evaluated again with
 * the new floor, one repository after another, each through
 * `endRevokedWork`: an agent the baseline suspends (or whose baseline
 * `expires` passed) has its workflow runs there cancelled, then the open agent
 * pull requests are judged again (bounded per repository). A repository
 * that fails is logged and the next one goes on; a listing cut at the bound
 * is logged as a warning.
 */
export async function reEvaluateOrganisation(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: Omit<OpenWorkTrigger, "repo" | "defaultBranch">, audit: AuditContext): Promise<{ repositories: string[]; failed: string[]; truncated: boolean }> {
  const listing = await listInstallationRepositories(octokit, { max: MAX_ORG_REPOSITORIES });
  const repositories: string[] = [];
  const failed: string[] = [];
  for (const r of listing.repositories) {
    if (r.repo.toLowerCase() === BASELINE_REPOSITORY) continue;
    const name = `${r.owner}/${r.repo}`;
    try {
      await endRevokedWork(octokit, log, deps, { ...trigger, repo: { owner: r.owner, repo: r.repo }, defaultBranch: r.defaultBranch }, audit);
      repositories.push(name);
    } catch (error) {
      log.error({ err: error, repository: name, reason: failureReason(error) }, "could not re-evaluate a repository's open pull requests after the org baseline changed");
      failed.push(name);
    }
  }
  if (listing.more) {
    log.warn({ bound: MAX_ORG_REPOSITORIES }, `the org baseline changed; more than ${MAX_ORG_REPOSITORIES} repositories: the others are judged on their next event`);
  }
  log.info({ repositories: repositories.length, failed: failed.length, truncated: listing.more }, "open pull requests of the organisation evaluated again after the org baseline changed");
  return { repositories, failed, truncated: listing.more };
}
