import { normalizeChangedPath } from "./paths.js";
import type { ChangeFacts, Decision } from "./types.js";
import type { WorkflowSource } from "./workflow-modified.js";

/**
 * Whether a pull request's decision (after approvals) vouches for the
 * differing sources of a workflow run at its head commit: the pull request
 * passes as a whole (`allow`: no deny, every step-up approved), and it
 * changes every differing source — the workflow file itself, or files inside
 * the action's directory — each under a step-up finding that was approved.
 * A source the pull request does not change (the default branch moved on
 * since) is not vouched for; neither is one that no step-up covers.
 */
export function approvesWorkflowSources(decision: Decision, facts: ChangeFacts, differing: readonly WorkflowSource[]): boolean {
  if (decision.verdict !== "allow" || differing.length === 0) return false;
  const approved = new Set(
    decision.findings.filter((f) => f.verdict === "step_up" && f.approved === true && f.asset.kind === "path").map((f) => f.asset.value),
  );
  const changed = facts.files.map((f) => normalizeChangedPath(f.path).path);
  return differing.every((source) => {
    if (source.status === "unverifiable" || source.status === "same") return source.status === "same";
    const inside = source.kind === "action" ? changed.filter((p) => p.startsWith(`${source.path}/`)) : changed.filter((p) => p === source.path);
    return inside.length > 0 && inside.every((p) => approved.has(p));
  });
}
