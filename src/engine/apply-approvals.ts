import type { StepUpStatus } from "./approval-types.js";
import type { Decision, Finding, StepUpRequirement } from "./types.js";

/**
 * The decision once step-up approvals are known. Every step_up finding whose
 * step-up is satisfied is marked `approved`; the verdict becomes `allow` only
 * when it was `step_up`, every requirement is satisfied and every finding is
 * an allow or an approved step_up. A deny is never lifted. A requirement with
 * no status, or with any unsatisfied status of its name, is pending (fail
 * closed). `stepUpStatus` holds one status per requirement, in `stepUps` order.
 * The input is not modified.
 */
export function applyApprovals(decision: Decision, statuses: readonly StepUpStatus[]): Decision {
  const stepUpStatus = decision.stepUps.map((req) => {
    const mine = statuses.filter((s) => s.name === req.name);
    return mine.find((s) => !isSatisfied(req, s)) ?? mine[0] ?? pendingStatus(req);
  });
  const satisfied = new Set(decision.stepUps.filter((req, i) => isSatisfied(req, stepUpStatus[i])).map((req) => req.name));
  const findings = decision.findings.map(
    (f): Finding => (f.verdict === "step_up" && f.stepUp !== undefined && satisfied.has(f.stepUp) ? { ...f, approved: true } : f),
  );
  const lifted =
    decision.verdict === "step_up" &&
    satisfied.size === decision.stepUps.length &&
    findings.every((f) => f.verdict === "allow" || (f.verdict === "step_up" && f.approved === true));
  return { ...decision, verdict: lifted ? "allow" : decision.verdict, findings, stepUps: [...decision.stepUps], stepUpStatus };
}

/** Re-checked here so a status built by hand (or for another requirement) cannot lift more than it shows. */
function isSatisfied(req: StepUpRequirement, status: StepUpStatus | undefined): boolean {
  if (!status?.satisfied || status.changesRequestedBy.length > 0) return false;
  return new Set(status.approvedBy.map((l) => l.toLowerCase())).size >= Math.max(1, req.count, status.required);
}

function pendingStatus(req: StepUpRequirement): StepUpStatus {
  const required = Math.max(1, req.count);
  return {
    name: req.name,
    required,
    approvedBy: [],
    unresolved: [],
    missing: required,
    eligible: { users: [...req.users], teams: [...req.teams] },
    changesRequestedBy: [],
    ignored: [],
    teamErrors: [],
    satisfied: false,
  };
}
