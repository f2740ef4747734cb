import type { Logger } from "probot";
import { decideDeployment, type DeploymentDecision, type DeploymentVerdict } from "../engine/decide-deployment.js";
import { applyGrants } from "../engine/grants/apply-grants.js";
import { grantCouldLift } from "../engine/grants/grants-for-run.js";
import { triggeringAgents } from "../engine/triggering-agents.js";
import type { Actor, RuleId } from "../engine/types.js";
import { readEnvironmentReviewers } from "../github/environment-reviewers.js";
import { GitHubFactsError } from "../github/errors.js";
import { loadPolicy } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { readWorkflowRun, workflowRunActors } from "../github/workflow-run.js";
import { POLICY_FILE } from "../policy/schema.js";
import type { PolicySource } from "../report/check-run-output.js";
import { deploymentComment, failClosedComment } from "../report/deployment-comment.js";
import type { AppDependencies } from "./dependencies.js";
import { grantsForRun, type RunGrants } from "./run-grants.js";

/** One deployment protection rule request, decoded from the event. */
export interface DeploymentRequest {
  repo: RepoRef;
  defaultBranch: string;
  environment: string;
  runId: number;
  /** The event's sender and the deployment's creator, when present. */
  actors: Actor[];
}

/** What the app answers and why. */
export interface DeploymentJudgement {
  answer: DeploymentVerdict;
  comment: string;
  policy: PolicySource;
  policyValid: boolean;
  decision?: DeploymentDecision;
  /** Set when GitHub could not provide the policy, the run or the environment: the answer is a rejection. */
  error?: string;
  extraRuleIds: RuleId[];
  /** The grants of the run's pull request, when they were read. */
  grants?: RunGrants;
}

/**
 * load policy → read the run → identify the agents that triggered it →
 * decide → (when only `environments.allow` denies it) read the task-scoped
 * grants of the one open pull request the run belongs to and decide with
 * them (`grantsForRun`; a grant never lifts a step-up) → (for a step-up)
 * read the environment's required reviewers and decide again. Fails
 * closed: an unreadable or invalid policy rejects every deployment (without
 * it the app cannot tell which accounts are agents); an unreadable run or
 * environment rejects it too, and grants that cannot be read count for
 * nothing. In audit mode the answer is an approval, whatever the decision.
 */
export async function judgeDeployment(octokit: Octokit, log: Logger, deps: AppDependencies, request: DeploymentRequest): Promise<DeploymentJudgement> {
  const { repo, environment } = request;
  let policy: PolicySource = { source: "repository", path: POLICY_FILE, ref: request.defaultBranch };
  const failClosed = (error: unknown): DeploymentJudgement => {
    if (!(error instanceof GitHubFactsError)) throw error;
    return { answer: "reject", comment: failClosedComment(error.message), policy, policyValid: true, error: error.message, extraRuleIds: ["facts-unavailable"] };
  };
  try {
    const loaded = await loadPolicy(octokit, { ...repo, defaultBranch: request.defaultBranch }, deps.policyCache);
    policy = { source: loaded.source, path: loaded.path, ref: loaded.ref, ...(loaded.sha ? { sha: loaded.sha } : {}) };
    if (!loaded.result.ok) {
      const reason = `${loaded.path} on ${loaded.ref} does not validate (policy-invalid)`;
      return { answer: "reject", comment: failClosedComment(reason), policy, policyValid: false, extraRuleIds: ["policy-invalid"] };
    }
    const run = await readWorkflowRun(octokit, repo, request.runId);
    const agents = triggeringAgents(loaded.result.policy, [...request.actors, ...workflowRunActors(run)]);
    const facts = { agents, environment };
    let rules = loaded.result.policy;
    let decision = decideDeployment(rules, facts, { now: deps.clock() });
    let grants: RunGrants | undefined;
    if (grantCouldLift(decision, "environment-not-allowed")) {
      grants = await grantsForRun(octokit, log, deps, { repo, policy: rules, run, agents, kind: "environments" });
      if (grants.applied.length > 0) {
        rules = applyGrants(rules, grants.applied);
        decision = decideDeployment(rules, facts, { now: deps.clock() });
      }
    }
    if (decision.verdict === "hold") {
      const reviewers = await readEnvironmentReviewers(octokit, repo, environment);
      decision = decideDeployment(rules, { ...facts, reviewers }, { now: deps.clock() });
    }
    const answer = decision.mode === "audit" ? "approve" : decision.verdict;
    const unread = grants?.error ? { error: grants.error, extraRuleIds: ["facts-unavailable" as const] } : { extraRuleIds: [] };
    return { answer, comment: deploymentComment(answer, decision, grants), policy, policyValid: true, decision, ...unread, ...(grants ? { grants } : {}) };
  } catch (error) {
    return failClosed(error);
  }
}
