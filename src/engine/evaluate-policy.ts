import { decisionFrom } from "./decision.js";
import type { Policy } from "../policy/schema.js";
import { collectStepUps } from "./collect-step-ups.js";
import { DEPLOYMENT_RULES } from "./decide-deployment.js";
import { WORKFLOW_RUN_RULES } from "./decide-workflow-run.js";
import { identifyAgents } from "./identify-agents.js";
import { collectChangedPaths } from "./paths.js";
import type { Rule, RuleContext } from "./rule.js";
import { agentExpired } from "./rules/agent-expired.js";
import { agentSuspended } from "./rules/agent-suspended.js";
import { branchScope } from "./rules/branch-scope.js";
import { governanceFile } from "./rules/governance-file.js";
import { mergeByAgent } from "./rules/merge-by-agent.js";
import { pathScope } from "./rules/path-scope.js";
import { policySelfEdit } from "./rules/policy-self-edit.js";
import { repoScope } from "./rules/repo-scope.js";
import { pushToProtectedBranch } from "./rules/push-to-protected-branch.js";
import { secretContent } from "./rules/secret-content.js";
import { secretFile } from "./rules/secret-file.js";
import { stepUp } from "./rules/step-up.js";
import { tooLargeToVerify } from "./rules/too-large-to-verify.js";
import { unregisteredAgent } from "./rules/unregistered-agent.js";
import { unsafePath } from "./rules/unsafe-path.js";
import { unscannableChange } from "./rules/unscannable-change.js";
import { writeBySuggestOnly } from "./rules/write-by-suggest-only.js";
import { workflowEscalation } from "./rules/workflow-escalation.js";
import { type ChangeFacts, type Decision, type EvaluationOptions, type RuleId } from "./types.js";

/** Every rule the engine runs, in evaluation order (the output order is fixed by sorting, not by this). */
export const RULES = [
  policySelfEdit,
  unregisteredAgent,
  agentExpired,
  agentSuspended,
  repoScope,
  writeBySuggestOnly,
  unsafePath,
  secretFile,
  secretContent,
  unscannableChange,
  pathScope,
  branchScope,
  governanceFile,
  workflowEscalation,
  stepUp,
  tooLargeToVerify,
  pushToProtectedBranch,
  mergeByAgent,
] as const satisfies readonly Rule[];

/** Rule ids of the workflow-run and deployment decisions, described next to the function that emits them. */
const ACTION_RULES = { ...WORKFLOW_RUN_RULES, ...DEPLOYMENT_RULES } as const;

/** Rule ids emitted by the shells rather than by an engine rule; the type makes every id described somewhere. */
const SHELL_RULES: Record<Exclude<RuleId, (typeof RULES)[number]["id"] | keyof typeof ACTION_RULES>, string> = {
  "policy-invalid": "The policy file does not validate: every change fails closed until it is fixed.",
  "facts-unavailable": "GitHub could not provide the facts of the change (an API error): fail closed.",
  "re-evaluation-incomplete": "A repository had more open pull requests than one re-evaluation reads: the rest are judged on their next event.",
};

/** The one-line description of a rule id, for docs and the UI. */
export function describeRule(id: RuleId): string {
  const rule = RULES.find((r) => r.id === id);
  if (rule) return rule.describe;
  return Object.hasOwn(ACTION_RULES, id) ? ACTION_RULES[id as keyof typeof ACTION_RULES] : SHELL_RULES[id as keyof typeof SHELL_RULES];
}

/**
 * The pure policy decision for one change: same policy, facts and clock give
 * a deep-equal Decision (findings and agents are sorted, so the order of the
 * facts' files does not matter). `mode` is reported, not applied: in audit
 * mode the shell reports the verdict without blocking.
 */
export function evaluatePolicy(policy: Policy, facts: ChangeFacts, options: EvaluationOptions): Decision {
  const agents = identifyAgents(policy, facts);
  const context: RuleContext = { policy, facts, agents, files: collectChangedPaths(facts.files), now: options.now };
  return decisionFrom(policy, agents, RULES.flatMap((rule) => rule.evaluate(context)), options, (findings) => collectStepUps(policy, findings));
}
