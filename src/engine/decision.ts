import type { Policy } from "../policy/schema.js";
import { sortFindings } from "./sort-findings.js";
import { worstOf, type AgentActivity, type Decision, type EvaluationOptions, type Finding, type StepUpRequirement } from "./types.js";

/**
 * Assembles a Decision from the findings one evaluation produced: findings
 * sorted (so input order never changes the output), verdict the worst of
 * them, `mode` reported as the policy says (the shell applies it).
 */
export function decisionFrom(
  policy: Policy,
  agents: readonly AgentActivity[],
  findings: readonly Finding[],
  options: EvaluationOptions,
  stepUps: (sorted: Finding[]) => StepUpRequirement[] = () => [],
): Decision {
  const sorted = sortFindings(findings);
  return {
    verdict: worstOf(sorted.map((f) => f.verdict)),
    mode: policy.mode,
    agentActivity: agents.length > 0,
    agents: [...agents],
    findings: sorted,
    stepUps: stepUps(sorted),
    evaluatedAt: options.now.toISOString(),
  };
}
