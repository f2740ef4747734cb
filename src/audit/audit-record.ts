import type { Decision } from "../engine/types.js";
import type { CheckReport, Conclusion } from "../report/check-run-output.js";

/**
 * One audit record per decision (SPEC §6). Written today as one structured
 * JSON log line; its shape is the contract for durable stores.
 */
export interface AuditRecord {
  time: string;
  deliveryId: string;
  installationId?: number;
  repository: string;
  event: string;
  action?: string;
  actor?: { login?: string; id?: number };
  pullRequest?: number;
  headSha?: string;
  agents: { key: string; owner?: string; declared: boolean }[];
  decision: Decision["verdict"] | "error";
  conclusion: Conclusion;
  mode?: Decision["mode"];
  ruleIds: string[];
  findings: { ruleId: string; verdict: string; asset: string; agent?: string }[];
  approvers: string[];
  policy: { source: string; path: string; ref: string; sha?: string; valid: boolean };
  checkRunId?: number;
  error?: string;
}

const MAX_FINDINGS_IN_RECORD = 200;

export function buildAuditRecord(input: {
  time: Date;
  deliveryId: string;
  installationId?: number;
  repository: string;
  event: string;
  action?: string;
  actor?: { login?: string; id?: number };
  pullRequest?: number;
  headSha?: string;
  report: CheckReport;
  conclusion: Conclusion;
  checkRunId?: number;
}): AuditRecord {
  const { report } = input;
  const decision = report.decision;
  const findings = decision?.findings ?? [];
  const ruleIds = [
    ...new Set([
      ...findings.map((f) => f.ruleId),
      ...(report.policyIssues?.length || report.proposedPolicyIssues?.length ? ["policy-invalid"] : []),
      ...(report.error ? ["facts-unavailable"] : []),
    ]),
  ].sort();
  return {
    time: input.time.toISOString(),
    deliveryId: input.deliveryId,
    ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
    repository: input.repository,
    event: input.event,
    ...(input.action ? { action: input.action } : {}),
    ...(input.actor ? { actor: input.actor } : {}),
    ...(input.pullRequest !== undefined ? { pullRequest: input.pullRequest } : {}),
    ...(input.headSha ? { headSha: input.headSha } : {}),
    agents: (decision?.agents ?? []).map((a) => ({ key: a.key, declared: a.declared, ...(a.owner ? { owner: a.owner } : {}) })),
    decision: report.error || report.policyIssues?.length || !decision ? "error" : decision.verdict,
    conclusion: input.conclusion,
    ...(decision ? { mode: decision.mode } : {}),
    ruleIds,
    findings: findings.slice(0, MAX_FINDINGS_IN_RECORD).map((f) => ({
      ruleId: f.ruleId,
      verdict: f.verdict,
      asset: `${f.asset.kind}:${f.asset.value}`,
      ...(f.agent ? { agent: f.agent } : {}),
    })),
    approvers: [...new Set((decision?.stepUps ?? []).flatMap((s) => [...s.users, ...s.teams.map((t) => `team:${t}`)]))].sort(),
    policy: {
      source: report.policy.source,
      path: report.policy.path,
      ref: report.policy.ref,
      ...(report.policy.sha ? { sha: report.policy.sha } : {}),
      valid: !report.policyIssues?.length,
    },
    ...(input.checkRunId !== undefined ? { checkRunId: input.checkRunId } : {}),
    ...(report.error ? { error: report.error } : {}),
  };
}
