import type { DeploymentDecision, DeploymentVerdict } from "../engine/decide-deployment.js";
import { agentLabel } from "../engine/describe.js";
import type { ActiveGrant } from "../engine/grants/decide-grants.js";
import { scopeItems } from "../engine/grants/grant-command.js";
import { utcTime } from "./grant-summary.js";
import { inert } from "./inert.js";

/** Findings named in a comment; the rest are counted (the audit record has them all). */
const MAX_FINDINGS = 3;

const ANSWER: Record<DeploymentVerdict, string> = { approve: "approved", reject: "rejected", hold: "held" };

/**
 * The comment sent with the app's answer to a deployment protection rule: the
 * answer, then each finding as `rule-id: sentence` (rule id and agent named),
 * and for a hold what releases it; event text in it is inert (`plain`: GitHub
 * may render the comment). In audit mode the answer is always an
 * approval and the comment says what enforce mode would have done.
 */
export function deploymentComment(answer: DeploymentVerdict, decision: DeploymentDecision, grants?: { pullRequest?: number; applied: readonly ActiveGrant[]; error?: string }): string {
  const head = `agent-policy${decision.mode === "audit" ? " (audit mode)" : ""}: ${ANSWER[answer]}`;
  if (!decision.agentActivity) return `${head} — no AI assistant triggered this run.`;
  const wouldHave = answer !== decision.verdict ? ` — enforce mode would have ${ANSWER[decision.verdict]} it` : "";
  const shown = decision.findings.slice(0, MAX_FINDINGS).map((f) => `${f.ruleId}: ${inert(f.message, "plain")}`);
  if (decision.findings.length > MAX_FINDINGS) shown.push(`… and ${decision.findings.length - MAX_FINDINGS} more findings.`);
  if (shown.length === 0) shown.push(`${inert(decision.agents.map(agentLabel).join(", "), "plain")} may deploy here.`);
  const held = answer === "hold" ? decision.findings.find((f) => f.ruleId === "environment-step-up" && !f.approved) : undefined;
  const release = held?.remedy ? [inert(held.remedy, "plain")] : [];
  return [`${head}${wouldHave}.`, ...grantLines(grants), ...shown, ...release].join("\n");
}

/** The task-scoped grants that widened the decision (named first: they are why an environment was allowed), or why none could be read. */
function grantLines(grants: { pullRequest?: number; applied: readonly ActiveGrant[]; error?: string } | undefined): string[] {
  if (grants?.error) return [`The grants of the run's pull request could not be read, so none applies: ${inert(grants.error, "plain")}`];
  if (!grants?.applied.length) return [];
  return grants.applied.map(
    (g) => `Task-scoped grant on pull request #${grants.pullRequest}: ${inert(scopeItems(g.scope).join(", "), "plain")} for ${inert(g.agent, "plain")} by ${inert(`@${g.by}`, "plain")} until ${utcTime(g.expires)}.`,
  );
}

/** The comment when the app rejects without a decision (the policy or the run could not be read). */
export function failClosedComment(reason: string): string {
  return `agent-policy: rejected — ${inert(reason, "plain")}. Deployments fail closed until this is fixed; re-run the job afterwards.`;
}
