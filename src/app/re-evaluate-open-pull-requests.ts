import type { Logger } from "probot";
import { decisionAuditRecord, type AuditContext } from "../audit/audit-record.js";
import { judgedFreeOfAgents } from "../github/agent-activity-signal.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { listOpenPullRequests } from "../github/open-pull-requests.js";
import { POLICY_FILE } from "../policy/schema.js";
import type { AppDependencies } from "./dependencies.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import { extendReads } from "../github/read-budget.js";
import { failureReason } from "./failure-reason.js";
import { runsOfPullRequest, type CancelledRun } from "../report/cancelled-runs.js";

/**
 * How many open pull requests of one repository a re-evaluation reads, the
 * most recently updated first. Each costs one request to tell whether it has
 * agent activity, and an evaluation when it may have; beyond the bound the
 * re-evaluation says so (a `re-evaluation-incomplete` audit record, a warning,
 * the rule counter in /metrics) and those pull requests are judged on their
 * next event.
 */
export const MAX_OPEN_PULL_REQUESTS = 200;

/** Why a repository's open work is judged again, and on whose behalf (for the audit records). */
export interface OpenWorkTrigger {
  deliveryId: string;
  /** The event that caused it (`push`, …) or `schedule` for the timers and the sweep. */
  event: string;
  /** What changed: `policy_changed`, `agent_expired`, `sweep`, … (the audit records' `action`). */
  action: string;
  installationId?: number;
  repo: RepoRef;
  defaultBranch: string;
  sender?: { login: string; id: number; type?: string } | null;
  /** Workflow runs just cancelled because their agent's authority ended: each is a line in the check of the pull request it belongs to. */
  cancelledRuns?: readonly CancelledRun[];
}

export interface OpenWorkOutcome {
  /** Pull requests evaluated again, lowest number first. */
  evaluated: number[];
  /** Pull requests whose last check positively found no assistant activity. */
  skipped: number[];
  /** Pull requests whose re-evaluation could not post its check (logged; the caller may retry). */
  failed: number[];
  /** True when open pull requests beyond `MAX_OPEN_PULL_REQUESTS` were not looked at. */
  truncated: boolean;
}

/**
 * Evaluates again every open pull request of a repository that may have
 * agent activity, with the policy as it is now on the default branch: after
 * the policy (or the baseline it narrows) changed, or when a grant expired,
 * an agent's open work takes the new verdict without anyone touching it.
 *
 * Each pull request goes through the one evaluation path (`evaluatePullRequest`:
 * one at a time per commit, its head read again before posting), so a pull
 * request whose head moves meanwhile, or an event for it arriving at the same
 * time, cannot post a stale verdict as current. A pull request is skipped only
 * when the app's own newest check on its head says "no AI assistant activity"
 * and none of `cancelledRuns` belongs to it; when that cannot be read, it is
 * evaluated. The cancelled runs that belong to a pull request (see
 * `runsOfPullRequest`) are lines of the check its evaluation posts. A failure to evaluate one pull
 * request does not stop the others.
 */
export async function reEvaluateOpenAgentPullRequests(octokit: Octokit, log: Logger, deps: AppDependencies, trigger: OpenWorkTrigger): Promise<OpenWorkOutcome> {
  const { repo } = trigger;
  const outcome: OpenWorkOutcome = { evaluated: [], skipped: [], failed: [], truncated: false };
  let listing;
  try {
    listing = await listOpenPullRequests(octokit, repo, { max: MAX_OPEN_PULL_REQUESTS });
  } catch (error) {
    await recordIncomplete(log, deps, trigger, outcome, `could not list the open pull requests: ${failureReason(error)}`);
    throw error;
  }
  outcome.truncated = listing.more;
  for (const pull of [...listing.pulls].sort((a, b) => a.number - b.number)) {
    const runs = runsOfPullRequest(trigger.cancelledRuns ?? [], pull);
    let free = false;
    // A pull request with a cancelled run is evaluated whatever its last check said: its check reports the runs.
    if (runs.length === 0) {
      try {
        free = await judgedFreeOfAgents(octokit, repo, pull.headSha, deps.appId ? { appId: deps.appId } : {});
      } catch (error) {
        log.warn({ err: error, pullRequest: pull.number }, "could not read the last check of an open pull request; evaluating it again");
      }
    }
    if (free) {
      outcome.skipped.push(pull.number);
      continue;
    }
    // Each pull request is judged within a read budget of its own (the number of them is bounded).
    extendReads(octokit, deps.readsPerEvent);
    try {
      await evaluatePullRequest(octokit, log, deps, {
        deliveryId: trigger.deliveryId,
        event: trigger.event,
        action: trigger.action,
        ...(trigger.installationId !== undefined ? { installationId: trigger.installationId } : {}),
        repo,
        defaultBranch: trigger.defaultBranch,
        number: pull.number,
        headSha: pull.headSha,
        detailsUrl: `https://github.com/${repo.owner}/${repo.repo}/pull/${pull.number}`,
        sender: trigger.sender ?? null,
        senderActed: false,
        ...(runs.length ? { cancelledRuns: runs } : {}),
      });
      outcome.evaluated.push(pull.number);
    } catch (error) {
      log.error({ err: error, pullRequest: pull.number }, "could not post the re-evaluation of an open pull request");
      outcome.failed.push(pull.number);
    }
  }
  if (outcome.truncated) {
    const why = `more than ${MAX_OPEN_PULL_REQUESTS} open pull requests: only the ${MAX_OPEN_PULL_REQUESTS} most recently updated were evaluated again; the others are judged on their next event`;
    await recordIncomplete(log, deps, trigger, outcome, why);
  }
  log.info({ repository: `${repo.owner}/${repo.repo}`, action: trigger.action, ...outcome }, "open pull requests evaluated again");
  return outcome;
}

/** Open pull requests that were not reached (beyond the bound, or not listed at all): never a silent skip. */
async function recordIncomplete(log: Logger, deps: AppDependencies, trigger: OpenWorkTrigger, outcome: OpenWorkOutcome, message: string): Promise<void> {
  log.warn({ repository: `${trigger.repo.owner}/${trigger.repo.repo}`, bound: MAX_OPEN_PULL_REQUESTS }, message);
  const context: AuditContext = {
    time: deps.clock(),
    deliveryId: trigger.deliveryId,
    ...(trigger.installationId !== undefined ? { installationId: trigger.installationId } : {}),
    repository: `${trigger.repo.owner}/${trigger.repo.repo}`,
    event: trigger.event,
    action: trigger.action,
    ...(trigger.sender ? { actor: { login: trigger.sender.login, id: trigger.sender.id } } : {}),
  };
  const record = decisionAuditRecord(context, {
    policy: { source: "repository", path: POLICY_FILE, ref: trigger.defaultBranch },
    policyValid: true,
    response: "none",
    error: message,
    extraRuleIds: ["re-evaluation-incomplete"],
  });
  await deps.audit.write(log, record, { evaluated: outcome.evaluated.length, skipped: outcome.skipped.length, failed: outcome.failed.length });
}

