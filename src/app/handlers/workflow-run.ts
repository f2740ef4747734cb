import type { Context } from "probot";
import { decideWorkflowRun } from "../../engine/decide-workflow-run.js";
import { decideWorkflowRunWithoutPolicy } from "../../engine/decide-workflow-run-without-policy.js";
import { triggeringAgents } from "../../engine/triggering-agents.js";
import type { Policy } from "../../engine/types.js";
import type { WorkflowRunSources } from "../../engine/workflow-modified.js";
import { GitHubFactsError } from "../../github/errors.js";
import { loadPolicy, type LoadedPolicy } from "../../github/load-policy.js";
import type { Octokit, RepoRef } from "../../github/octokit.js";
import { workflowRunActors, type WorkflowRunSummary } from "../../github/workflow-run.js";
import { inspectWorkflowSources } from "../../github/workflow-sources.js";
import { builtInPolicy, POLICY_FILE } from "../../policy/schema.js";
import { auditContextFor } from "../audit-context.js";
import type { AppDependencies } from "../dependencies.js";
import { findApprovedWorkflowChange } from "../find-approved-workflow-change.js";
import { respondToRun, type Respond } from "../respond-to-run.js";
import { grantsForRun, type RunGrants } from "../run-grants.js";
import { applyGrants } from "../../engine/grants/apply-grants.js";
import { grantCouldLift } from "../../engine/grants/grants-for-run.js";

type WorkflowRunContext = Context<"workflow_run.requested">;

/**
 * A workflow run was requested: cancel it when an assistant triggered a
 * workflow its grant does not allow — its `workflows.allow`, widened by the
 * task-scoped grants in force on the one open pull request the run belongs
 * to (read only when nothing but that allow list denies the run, see
 * `grantsForRun`) — or one whose content at the run's
 * commit — the workflow file, its local actions and reusable workflows —
 * differs from the default branch's without an approved step-up (enforce
 * mode only; audit mode records what it would have done). A run no
 * assistant triggered costs one policy read
 * (a cached, conditional request) and writes neither to GitHub nor to the
 * audit log — unless the policy cannot be read, which is always recorded.
 *
 * Fails closed: when the policy is invalid or cannot be read, runs started
 * by assistants the built-in catalogue knows, or by any other bot that is not
 * a known non-assistant (Dependabot, Renovate, GitHub Actions), are cancelled:
 * without the policy a declared agent cannot be told apart from other bots.
 * People's runs are never cancelled (see `decideWorkflowRunWithoutPolicy`).
 */
export function handleWorkflowRun(deps: AppDependencies) {
  return async (context: WorkflowRunContext): Promise<void> => {
    const { payload } = context;
    const run: WorkflowRunSummary = payload.workflow_run;
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const defaultBranch = payload.repository.default_branch;
    const log = context.log.child({ deliveryId: context.id });
    const triggeredBy = payload.workflow_run.triggering_actor ?? payload.sender;
    const auditContext = auditContextFor(context, deps.clock(), triggeredBy);
    const actors = workflowRunActors(run);
    const respond = async (input: Respond): Promise<void> => {
      await respondToRun(context.octokit, log, deps.audit, repo, run, auditContext, input);
    };

    let loaded: LoadedPolicy;
    try {
      loaded = await loadPolicy(context.octokit, { ...repo, defaultBranch }, deps.policyCache);
    } catch (error) {
      if (!(error instanceof GitHubFactsError)) throw error;
      const policy = { source: "repository" as const, path: POLICY_FILE, ref: defaultBranch };
      const decision = decideWorkflowRunWithoutPolicy(builtInPolicy(), actors, { now: deps.clock() });
      return respond({ decision, cancel: decision.verdict === "deny", policy, policyValid: true, error: error.message, ruleId: "facts-unavailable" });
    }
    const policy = { source: loaded.source, path: loaded.path, ref: loaded.ref, ...(loaded.sha ? { sha: loaded.sha } : {}) };
    if (!loaded.result.ok) {
      const decision = decideWorkflowRunWithoutPolicy(builtInPolicy(), actors, { now: deps.clock() });
      return respond({ decision, cancel: decision.verdict === "deny", policy, policyValid: false, ruleId: "policy-invalid" });
    }
    const agents = triggeringAgents(loaded.result.policy, actors);
    if (agents.length === 0) return;
    const now = deps.clock();
    const facts = { agents, workflowPath: run.path };
    let rules = loaded.result.policy;
    let decision = decideWorkflowRun(rules, facts, { now });
    // Only a run its workflow allow list alone denies can be saved by a grant: only then are the grants read.
    let granted: RunGrants | undefined;
    if (grantCouldLift(decision, "workflow-not-allowed")) {
      granted = await grantsForRun(context.octokit, log, deps, { repo, policy: rules, run, agents, kind: "workflows" });
      if (granted.applied.length > 0) {
        rules = applyGrants(rules, granted.applied);
        decision = decideWorkflowRun(rules, facts, { now });
      }
    }
    const grants = {
      ...(granted?.pullRequest !== undefined ? { pullRequest: granted.pullRequest } : {}),
      ...(granted?.applied.length ? { grants: granted.applied } : {}),
    };
    const grantsLog = granted?.none ? { grantsNotApplied: granted.none } : {};
    // GitHub's own dynamic workflows (Copilot sessions) have no file in the repository to compare.
    if (decision.verdict === "deny" || run.path.startsWith("dynamic/")) {
      return respond({
        decision,
        cancel: decision.verdict === "deny" && decision.mode === "enforce",
        policy,
        policyValid: true,
        ...grants,
        ...(granted?.error ? { error: granted.error, ruleId: "facts-unavailable" } : {}),
        log: grantsLog,
      });
    }
    const inspected = await gatherSources(context.octokit, repo, { run, defaultBranch, policy: loaded.result.policy, policyPath: loaded.path, now });
    decision = decideWorkflowRun(rules, { ...facts, sources: inspected.sources }, { now });
    return respond({
      decision,
      cancel: decision.verdict === "deny" && decision.mode === "enforce",
      policy,
      policyValid: true,
      ...grants,
      ...(inspected.error ? { error: inspected.error, ruleId: "facts-unavailable" } : {}),
      log: { ...sourcesLog(inspected.sources), ...grantsLog },
    });
  };
}

/**
 * The run's sources compared with the default branch, and the approving
 * pull request when some differ. Fails closed: an inspection that broke
 * leaves the workflow unverifiable, and an approval that could not be read
 * does not count; either is reported as `error`.
 */
async function gatherSources(
  octokit: Octokit,
  repo: RepoRef,
  input: { run: WorkflowRunSummary; defaultBranch: string; policy: Policy; policyPath: string; now: Date },
): Promise<{ sources: WorkflowRunSources; error?: string }> {
  const { run, defaultBranch } = input;
  let sources: WorkflowRunSources;
  try {
    sources = await inspectWorkflowSources(octokit, repo, { workflowPath: run.path, headSha: run.head_sha, defaultBranch });
  } catch (error) {
    const reason = `internal error: ${(error as Error).message}`;
    sources = { headSha: run.head_sha, defaultBranch, sources: [{ kind: "workflow", path: run.path, status: "unverifiable", reason }], remoteChanges: [] };
  }
  const unverifiable = sources.sources.filter((s) => s.status === "unverifiable").map((s) => s.reason ?? s.path);
  if (unverifiable.length > 0) return { sources, error: unverifiable.join("; ") };
  const differing = sources.sources.filter((s) => s.status === "modified" || s.status === "added");
  if (differing.length === 0) return { sources };
  try {
    const approvedBy = await findApprovedWorkflowChange(octokit, repo, { ...input, headSha: run.head_sha, differing });
    return { sources: approvedBy ? { ...sources, approvedBy } : sources };
  } catch (error) {
    const reason = error instanceof GitHubFactsError ? error.message : `internal error: ${(error as Error).message}`;
    return { sources, error: `could not read whether the change was approved: ${reason}` };
  }
}

/** What the audit log line says beside the record: each source compared, changed remote actions, the approving pull request. */
function sourcesLog(sources: WorkflowRunSources): object {
  return {
    sources: sources.sources.map((s) => ({ kind: s.kind, path: s.path, status: s.status })),
    ...(sources.remoteChanges.length ? { remoteActions: sources.remoteChanges } : {}),
    ...(sources.approvedBy ? { approvedBy: sources.approvedBy } : {}),
  };
}
