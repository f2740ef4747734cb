import { decisionFrom } from "./decision.js";
import type { Policy } from "../policy/schema.js";
import { agentFields, agentLabel, listPatterns } from "./describe.js";
import { matchesAny } from "./glob.js";
import { grantFindings } from "./grant-findings.js";
import { type AgentActivity, type Decision, type EvaluationOptions, type Finding, type RuleId } from "./types.js";
import { WORKFLOW_MODIFIED_DESCRIPTION, workflowModifiedFindings, type WorkflowRunSources } from "./workflow-modified.js";

/** The rule this decision emits, with its one-line description (see `describeRule`). */
export const WORKFLOW_RUN_RULES = {
  "workflow-not-allowed":
    "A declared AI assistant triggers a workflow whose file is not in its `workflows.allow`: deny (the run is cancelled).",
  "workflow-modified": WORKFLOW_MODIFIED_DESCRIPTION,
} as const satisfies Partial<Record<RuleId, string>>;

/** What the shell knows about one workflow run. */
export interface WorkflowRunFacts {
  /** The assistants that triggered the run (its `actor` / `triggering_actor`), from `identifyActors`. */
  agents: readonly AgentActivity[];
  /** The run's workflow as GitHub names it: `.github/workflows/ci.yml`, or `dynamic/…` for GitHub's own dynamic workflows. */
  workflowPath: string;
  /**
   * The run's workflow file, reusable workflows and local actions compared
   * with the default branch's. The shell inspects them only for a run the
   * grant rules allow (a denied run is cancelled anyway, and each comparison
   * costs API calls); without them no `workflow-modified` finding is made.
   */
  sources?: WorkflowRunSources;
}

/**
 * May the assistants that triggered this run run this workflow?
 *
 * No agent: allow. An undeclared, expired or suspended agent: deny (the grant
 * rules). A declared agent: allowed when one of its `workflows.allow` globs
 * matches the workflow's file name (`ci.yml`) or its full path
 * (`.github/workflows/ci.yml`); either is enough, so both `ci.yml` and
 * `.github/workflows/deploy-*.yml` work. Globs are allow-side (case as GitHub
 * stores it, see glob.ts); an empty list allows no workflow, GitHub's dynamic
 * workflows (Copilot's own sessions, `dynamic/copilot-swe-agent/copilot`)
 * included. Every triggering agent must be allowed. The result is a Decision
 * with verdict `allow` or `deny` and no step-ups; `mode` is reported, not
 * applied (the shell cancels only in enforce mode).
 *
 * An allowed agent is then held to the content: every source of the run
 * that differs from the default branch's (unless an approved pull request
 * covers it) or could not be compared is a `workflow-modified` deny, since
 * `workflows.allow` names a file and the run executes that file as the run's
 * commit has it.
 */
export function decideWorkflowRun(policy: Policy, facts: WorkflowRunFacts, options: EvaluationOptions): Decision {
  const { agents, workflowPath, sources } = facts;
  const findings = agents.flatMap((agent) => {
    const grant = grantFindings(policy, [agent], options.now);
    if (grant.length > 0) return grant;
    const scope = workflowFinding(policy, agent, workflowPath);
    if (scope.length > 0 || !sources) return scope;
    return workflowModifiedFindings(agent, workflowPath, sources);
  });
  return decisionFrom(policy, agents, findings, options);
}

function workflowFinding(policy: Policy, agent: AgentActivity, workflowPath: string): Finding[] {
  const grant = agent.declared ? policy.agents[agent.key] : undefined;
  if (!grant) return [];
  const { allow } = grant.workflows;
  const fileName = workflowPath.slice(workflowPath.lastIndexOf("/") + 1);
  if (allow.length > 0 && (matchesAny(fileName, allow, "allow") || matchesAny(workflowPath, allow, "allow"))) return [];
  const reason =
    allow.length === 0
      ? "its policy allows no workflows (workflows.allow is empty)"
      : `it is not in its allowed workflows (${listPatterns(allow)})`;
  return [
    {
      ruleId: "workflow-not-allowed",
      verdict: "deny",
      asset: { kind: "workflow", value: workflowPath },
      ...agentFields(agent),
      message: `${agentLabel(agent)} triggered the workflow ${workflowPath}, but ${reason}.`,
      remedy: `If this agent should run ${fileName}, have the owner add it to agents.${agent.key}.workflows.allow.`,
    },
  ];
}
