import type { AgentPolicy, Policy } from "../policy/schema.js";
import { agentFields, agentLabel } from "./describe.js";
import { grantFindings } from "./grant-findings.js";
import { ownerApprovers } from "./owner.js";
import { agentOrBotExclusion } from "./reviewer-exclusions.js";
import { sortFindings } from "./sort-findings.js";
import type { AgentActivity, Decision, EvaluationOptions, Finding, RuleId, StepUpRequirement, Verdict } from "./types.js";
import { worstOf } from "./types.js";

/** The rules this decision emits, with their one-line descriptions (see `describeRule`). */
export const DEPLOYMENT_RULES = {
  "environment-not-allowed":
    "A declared AI assistant's run deploys to an environment in neither its `environments.allow` nor its `environments.step_up`: deny (the deployment is rejected).",
  "environment-step-up":
    "A declared AI assistant's run deploys to an environment in its `environments.step_up`: held until its owner approves, through the environment's required reviewers.",
} as const satisfies Partial<Record<RuleId, string>>;

export type DeploymentVerdict = "approve" | "reject" | "hold";

/** GitHub's required-reviewers protection rule of the environment, as the shell read it. */
export interface EnvironmentReviewers {
  /** Logins of the users it lists. */
  users: string[];
  /** Teams it lists, `org/slug`. */
  teams: string[];
  /** GitHub's "Prevent self-review": whoever started the run cannot approve it. */
  preventSelfReview: boolean;
}

export interface DeploymentFacts {
  /** The assistants that triggered the deployment's run, from `identifyActors`. */
  agents: readonly AgentActivity[];
  /** The environment name, as the event gives it. */
  environment: string;
  /** The environment's required reviewers; absent when not read (then a step-up holds). */
  reviewers?: EnvironmentReviewers;
}

/** A Decision whose verdict is the deployment's: allow → approve, step_up → hold, deny → reject. */
export interface DeploymentDecision extends Omit<Decision, "verdict"> {
  verdict: DeploymentVerdict;
  /** The engine verdict it comes from, for reports and audit records. */
  policyVerdict: Verdict;
}

const DEPLOYMENT_VERDICT: Record<Verdict, DeploymentVerdict> = { allow: "approve", step_up: "hold", deny: "reject" };

/**
 * May the assistants that triggered this deployment deploy to this environment?
 *
 * No agent: approve. An undeclared, expired or suspended agent: reject. A
 * declared agent, per environment name (compared case-insensitively, as GitHub
 * does): listed in `environments.step_up` → step-up (it wins over `allow`,
 * being the stricter list); in `environments.allow` → approve; otherwise
 * reject. The worst agent decides.
 *
 * A step-up is satisfied only by the agent's owner (user or team, count 1;
 * never an agent or a bot, see `agentOrBotExclusion`). The app cannot see who
 * approves a deployment when it is asked, so it delegates: the step-up is
 * approved (the finding marked `approved`) when GitHub's required reviewers
 * for the environment are exactly the owner — nobody else may approve — and
 * "Prevent self-review" is on, so the agent that started the run cannot
 * approve it; GitHub then holds the job until the owner approves. Otherwise,
 * or when the reviewers are unknown, the deployment is held.
 */
export function decideDeployment(policy: Policy, facts: DeploymentFacts, options: EvaluationOptions): DeploymentDecision {
  const nonHuman = agentOrBotExclusion(policy);
  const stepUps: StepUpRequirement[] = [];
  const findings = sortFindings(
    facts.agents.flatMap((agent) => {
      const grant = grantFindings(policy, [agent], options.now);
      const declared = agent.declared ? policy.agents[agent.key] : undefined;
      if (grant.length > 0 || !declared) return grant;
      const finding = environmentFinding(agent, declared, facts, nonHuman, stepUps);
      return finding ? [finding] : [];
    }),
  );
  const policyVerdict = worstOf(findings.map((f) => (f.verdict === "step_up" && f.approved ? "allow" : f.verdict)));
  return {
    verdict: DEPLOYMENT_VERDICT[policyVerdict],
    policyVerdict,
    mode: policy.mode,
    agentActivity: facts.agents.length > 0,
    agents: [...facts.agents],
    findings,
    stepUps,
    evaluatedAt: options.now.toISOString(),
  };
}

function environmentFinding(
  agent: AgentActivity,
  grant: AgentPolicy,
  facts: DeploymentFacts,
  nonHuman: ReturnType<typeof agentOrBotExclusion>,
  stepUps: StepUpRequirement[],
): Finding | undefined {
  const env = facts.environment;
  const listed = (names: readonly string[]) => names.some((n) => n.toLowerCase() === env.toLowerCase());
  const asset = { kind: "environment" as const, value: env };
  const label = agentLabel(agent);
  if (listed(grant.environments.step_up)) {
    const owner = ownerApprovers(grant.owner);
    const users = owner.users.filter((u) => nonHuman({ login: u }) === undefined);
    const name = `environment ${env} (${agent.key})`;
    stepUps.push({ name, users, teams: owner.teams, count: 1, paths: [] });
    const problem = delegationProblem(facts.reviewers, users, owner.teams, grant.owner);
    return {
      ruleId: "environment-step-up",
      verdict: "step_up",
      asset,
      ...agentFields(agent),
      stepUp: name,
      ...(problem === undefined ? { approved: true } : {}),
      message:
        problem === undefined
          ? `${label} deploys to ${env}, which needs its owner's approval: GitHub's required reviewers for ${env} are only ${grant.owner}, with self-review prevented, so GitHub holds the job until ${grant.owner} approves.`
          : `${label} deploys to ${env}, which needs its owner's approval, and the app cannot yet leave that to GitHub: ${problem}. The deployment is held.`,
      remedy: `Make ${grant.owner} the only required reviewer of the ${env} environment, with "Prevent self-review" on, then cancel and re-run the workflow run; or have the owner move ${env} to agents.${agent.key}.environments.allow.`,
    };
  }
  if (listed(grant.environments.allow)) return undefined;
  const allowed = [...grant.environments.allow, ...grant.environments.step_up];
  return {
    ruleId: "environment-not-allowed",
    verdict: "deny",
    asset,
    ...agentFields(agent),
    message:
      allowed.length === 0
        ? `${label} deploys to ${env}, but its policy allows no environments.`
        : `${label} deploys to ${env}, which is not among its environments (${allowed.join(", ")}).`,
    remedy: `If this agent should deploy to ${env}, have the owner add it to agents.${agent.key}.environments.allow or .step_up.`,
  };
}

/** Why GitHub's required reviewers do not enforce the owner's step-up, or undefined when they do. */
function delegationProblem(reviewers: EnvironmentReviewers | undefined, users: string[], teams: string[], owner: string): string | undefined {
  if (users.length + teams.length === 0) return `its owner ${owner} is an agent or a bot and can never approve`;
  if (!reviewers) return "the environment's required reviewers are unknown";
  if (reviewers.users.length + reviewers.teams.length === 0) return "the environment has no required reviewers";
  const same = (list: readonly string[], allowed: readonly string[]) => list.every((x) => allowed.some((a) => a.toLowerCase() === x.toLowerCase()));
  if (!same(reviewers.users, users) || !same(reviewers.teams, teams)) {
    const listed = [...reviewers.users, ...reviewers.teams].map((r) => `@${r}`).join(", ");
    return `its required reviewers (${listed}) are not only ${owner}`;
  }
  if (!reviewers.preventSelfReview) return `"Prevent self-review" is off, so whoever started the run could approve it`;
  return undefined;
}
