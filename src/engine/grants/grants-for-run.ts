import type { Decision, RuleId } from "../types.js";
import type { ActiveGrant } from "./decide-grants.js";

/**
 * Whether a task-scoped grant could change a run's or a deployment's
 * decision: it is a deny, and every deny finding is `liftable` (the scope
 * rule a grant widens: `workflow-not-allowed`, `environment-not-allowed`). A
 * deny for anything else — an unregistered, suspended or expired agent, a
 * modified workflow — stands whatever is granted, so the grants are not read
 * (they cost API calls).
 */
export function grantCouldLift(decision: Pick<Decision, "findings">, liftable: RuleId): boolean {
  const denials = decision.findings.filter((f) => f.verdict === "deny");
  return denials.length > 0 && denials.every((f) => f.ruleId === liftable);
}

/** The grants in force that widen `kind` for one of `agents` (the policy's keys of the agents that triggered the run). */
export function grantsWidening(grants: readonly ActiveGrant[], agents: readonly string[], kind: "workflows" | "environments"): ActiveGrant[] {
  return grants.filter((g) => agents.includes(g.agent) && g.scope[kind].length > 0);
}
