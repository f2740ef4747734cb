import type { Decision } from "../engine/types.js";
import type { CheckReport, Conclusion } from "../report/check-run-output.js";

/** What every record of one delivery shares: when, which delivery, where, which event, and who acted. */
export interface AuditContext {
  time: Date;
  deliveryId: string;
  installationId?: number;
  repository: string;
  event: string;
  action?: string;
  actor?: { login?: string; id?: number };
}

/**
 * One audit record per decision (SPEC §6): every evaluation, approval,
 * incident, cancellation and policy error. Written as one structured JSON log
 * line (`audit` field); its shape is the contract for durable stores.
 */
export interface AuditRecord extends Omit<AuditContext, "time"> {
  /** ISO 8601. */
  time: string;
  pullRequest?: number;
  headSha?: string;
  /** The branch or ref concerned (pushes, workflow runs, deployments). */
  ref?: string;
  agents: { key: string; owner?: string; declared: boolean }[];
  decision: Decision["verdict"] | "error";
  /** What the app did: `check_run`, `incident`, `cancel_workflow_run`, `deployment_approved`, `deployment_rejected`, `deployment_held`, `none`. */
  response: string;
  /** The check-run conclusion, when the response was a check run. */
  conclusion?: Conclusion;
  mode?: Decision["mode"];
  ruleIds: string[];
  findings: { ruleId: string; verdict: string; asset: string; agent?: string }[];
  /** Who may approve the pending step-ups (`team:` prefix for teams). */
  approvers: string[];
  /** Whose approvals counted, per step-up. */
  approvals?: { stepUp: string; approvedBy: string[]; satisfied: boolean }[];
  /** Incident issue, cancelled run, check run… the GitHub object the response created or changed. */
  target?: { kind: string; id: number; url?: string };
  policy: { source: string; path: string; ref: string; sha?: string; valid: boolean };
  checkRunId?: number;
  severity?: "info" | "critical";
  error?: string;
}

const MAX_FINDINGS_IN_RECORD = 200;

/** The record for a decision on any event: shared fields from the context, the rest from the decision. */
export function decisionAuditRecord(
  context: AuditContext,
  input: {
    decision?: Decision;
    policy: CheckReport["policy"];
    policyValid: boolean;
    response: string;
    error?: string;
    extraRuleIds?: string[];
  } & Partial<Pick<AuditRecord, "pullRequest" | "headSha" | "ref" | "conclusion" | "target" | "checkRunId" | "severity">>,
): AuditRecord {
  const { decision } = input;
  const findings = decision?.findings ?? [];
  const ruleIds = [...new Set([...findings.map((f) => f.ruleId), ...(input.extraRuleIds ?? [])])].sort();
  const optional = <K extends keyof AuditRecord>(key: K, value: AuditRecord[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    time: context.time.toISOString(),
    deliveryId: context.deliveryId,
    ...optional("installationId", context.installationId),
    repository: context.repository,
    event: context.event,
    ...optional("action", context.action),
    ...optional("actor", context.actor),
    ...optional("pullRequest", input.pullRequest),
    ...optional("headSha", input.headSha),
    ...optional("ref", input.ref),
    agents: (decision?.agents ?? []).map((a) => ({ key: a.key, declared: a.declared, ...(a.owner ? { owner: a.owner } : {}) })),
    decision: input.error || !input.policyValid || !decision ? "error" : decision.verdict,
    response: input.response,
    ...optional("conclusion", input.conclusion),
    ...optional("mode", decision?.mode),
    ruleIds,
    findings: findings.slice(0, MAX_FINDINGS_IN_RECORD).map((f) => ({
      ruleId: f.ruleId,
      verdict: f.verdict,
      asset: `${f.asset.kind}:${f.asset.value}`,
      ...(f.agent ? { agent: f.agent } : {}),
    })),
    approvers: [...new Set((decision?.stepUps ?? []).flatMap((s) => [...s.users, ...s.teams.map((t) => `team:${t}`)]))].sort(),
    ...optional(
      "approvals",
      decision?.stepUpStatus?.map((s) => ({ stepUp: s.name, approvedBy: [...s.approvedBy], satisfied: s.satisfied })),
    ),
    ...optional("target", input.target),
    policy: {
      source: input.policy.source,
      path: input.policy.path,
      ref: input.policy.ref,
      ...(input.policy.sha ? { sha: input.policy.sha } : {}),
      valid: input.policyValid,
    },
    ...optional("checkRunId", input.checkRunId),
    severity: input.severity ?? "info",
    ...optional("error", input.error),
  };
}

/** The record for a pull-request evaluation reported as a check run. */
export function checkRunAuditRecord(
  context: AuditContext,
  input: { pullRequest: number; headSha: string; report: CheckReport; conclusion: Conclusion } & ({ id: number } | { error: string }),
): AuditRecord {
  const { report } = input;
  const policyInvalid = Boolean(report.policyIssues?.length);
  const checkRunId = "id" in input ? input.id : undefined;
  const error = [report.error, "error" in input ? input.error : undefined].filter(Boolean).join("; ");
  return decisionAuditRecord(context, {
    ...(report.decision ? { decision: report.decision } : {}),
    policy: report.policy,
    policyValid: !policyInvalid,
    response: "check_run",
    conclusion: input.conclusion,
    pullRequest: input.pullRequest,
    headSha: input.headSha,
    ...(checkRunId !== undefined ? { checkRunId, target: { kind: "check_run", id: checkRunId } } : {}),
    ...(error ? { error } : {}),
    extraRuleIds: [
      ...(policyInvalid || report.proposedPolicyIssues?.length ? ["policy-invalid"] : []),
      ...(report.error ? ["facts-unavailable"] : []),
    ],
  });
}

/** Writes the record as one JSON log line; the message names the decision for people reading plain logs. */
export function logAudit(log: { info: (obj: object, msg: string) => void }, record: AuditRecord, extra: object = {}): void {
  log.info({ audit: record, ...extra }, `agent-policy ${record.event}${record.action ? `.${record.action}` : ""}: ${record.decision} → ${record.response}${record.conclusion ? ` (${record.conclusion})` : ""}`);
}
