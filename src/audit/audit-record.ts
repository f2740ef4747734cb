import type { ActiveGrant } from "../engine/grants/decide-grants.js";
import { scopeItems } from "../engine/grants/grant-command.js";
import type { ChangedFile, Decision, RuleId, Verdict } from "../engine/types.js";
import type { CheckReport, Conclusion } from "../report/check-run-output.js";
import type { CommitVerdict } from "../report/commit-verdict.js";
import { controlsOf, controlsOfAll, type FrameworkMapping } from "./framework-mapping.js";

/** The version of the record shape below; it changes whenever a field changes meaning or disappears. */
export const AUDIT_SCHEMA_VERSION = 1;

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

export type AuditDecision = Verdict | "error";
export const AUDIT_DECISIONS: readonly AuditDecision[] = ["allow", "step_up", "deny", "error"];

/** What the app did about the decision. */
export type AuditResponse =
  | "check_run"
  | "incident"
  | "cancel_workflow_run"
  | "deployment_approved"
  | "deployment_rejected"
  | "deployment_held"
  /** The app answered a grant or revoke command with a comment (see `grantAction`). */
  | "grant_reply"
  | "none";

/** A task-scoped grant that was in force for the decision, or that the record issues. */
export interface AuditGrant {
  agent: string;
  /** Who granted it (login). */
  by: string;
  /** What it widens: `paths:src/**`, `branches:…`, `workflows:…`, `environments:…`. */
  scope: string[];
  /** ISO 8601. */
  expires?: string;
  reason?: string;
}

export type GrantAuditAction = "granted" | "refused" | "revoked" | "expired";

export interface AuditFinding {
  ruleId: RuleId;
  verdict: Verdict;
  /** `kind:value`, e.g. `path:.env`, `branch:main`, `workflow:.github/workflows/deploy.yml`. */
  asset: string;
  agent?: string;
  /** The rule's OWASP NHI, OWASP Agentic and NIST CSF 2.0 ids (see `FRAMEWORK_MAPPING`). */
  controls: string[];
}

/**
 * One audit record per decision (SPEC §6): every evaluation, approval,
 * grant, incident, cancellation, deployment answer and policy error.
 * Written as one structured JSON log line (`audit` field) and appended to
 * the audit store, which adds `seq`, `prevHash` and `hash`
 * (`ChainedAuditRecord`). This shape is the documented contract (README,
 * "Audit trail"); `schemaVersion` says which version of it a record follows.
 */
export interface AuditRecord extends Omit<AuditContext, "time"> {
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  /** ISO 8601: when the decision was made. */
  time: string;
  pullRequest?: number;
  headSha?: string;
  /** The branch or ref concerned (pushes, workflow runs, deployments). */
  ref?: string;
  agents: { key: string; owner?: string; declared: boolean }[];
  /** Every asset the action touched, `kind:value`, sorted; at most `MAX_ASSETS_IN_RECORD`. */
  assets: string[];
  /** How many assets did not fit. */
  assetsOmitted?: number;
  decision: AuditDecision;
  mode?: Decision["mode"];
  ruleIds: RuleId[];
  findings: AuditFinding[];
  /** How many findings did not fit. */
  findingsOmitted?: number;
  /** The union of the frameworks' ids over `ruleIds`. */
  frameworks: FrameworkMapping;
  /** Who may approve the pending step-ups (`team:` prefix for teams). */
  approvers: string[];
  /** Whose approvals counted, per step-up. */
  approvals?: { stepUp: string; approvedBy: string[]; satisfied: boolean }[];
  grants?: AuditGrant[];
  /** For a grant record: what became of the command, or of a grant (its expiry). */
  grantAction?: GrantAuditAction;
  /** For a refused command: why, as the app's answer says it. */
  refusal?: string;
  /** For a grant record: the comment holding the command. */
  commandCommentId?: number;
  /** The policy the decision was made under; `baseline`: the organisation baseline it was merged onto. */
  policy: { source: string; path: string; ref: string; sha?: string; valid: boolean; baseline?: { repository: string; path: string; sha?: string } };
  response: AuditResponse;
  /** False when the response could not be carried out (`responseError` says why): the check run, issue, cancellation or answer does not exist. */
  responded: boolean;
  /** The check-run conclusion, when the response was a check run: the commit's one verdict (see `subjects`). */
  conclusion?: Conclusion;
  /** Every subject whose head is the commit and that counted towards `conclusion` (`pr:<n>`, `push:<ref>`). */
  subjects?: { subject: string; conclusion: Conclusion }[];
  /** Incident issue, cancelled run, check run… the GitHub object the response created or changed. */
  target?: { kind: string; id: number; url?: string };
  checkRunId?: number;
  issueNumber?: number;
  /** The workflow run cancelled, or whose deployment was answered. */
  workflowRunId?: number;
  severity: "info" | "critical";
  /** Why the decision is `error` or incomplete: the policy is invalid, facts were unavailable. */
  error?: string;
  /** Why the response failed. */
  responseError?: string;
}

export const MAX_FINDINGS_IN_RECORD = 200;
export const MAX_ASSETS_IN_RECORD = 1000;

export interface DecisionAuditInput
  extends Partial<Pick<AuditRecord, "pullRequest" | "headSha" | "ref" | "conclusion" | "subjects" | "target" | "checkRunId" | "issueNumber" | "workflowRunId" | "severity" | "grants">> {
  decision?: Decision;
  policy: CheckReport["policy"];
  policyValid: boolean;
  response: AuditResponse;
  /** Why the decision could not be made in full. */
  error?: string;
  /** Why the response failed; the record then says `responded: false`. */
  responseError?: string;
  /** Rule ids decided by the shell rather than the engine (`policy-invalid`, `facts-unavailable`). */
  extraRuleIds?: RuleId[];
  /** Assets beyond the findings' own: the changed paths, the workflow, the environment (`kind:value`). */
  assets?: string[];
}

/** The record for a decision on any event: shared fields from the context, the rest from the decision. */
export function decisionAuditRecord(context: AuditContext, input: DecisionAuditInput): AuditRecord {
  const { decision } = input;
  const findings = decision?.findings ?? [];
  const ruleIds = [...new Set([...findings.map((f) => f.ruleId), ...(input.extraRuleIds ?? [])])].sort();
  const assets = [
    ...new Set([
      ...(input.assets ?? []),
      ...findings.flatMap((f) => [`${f.asset.kind}:${f.asset.value}`, ...(f.asset.previousPath ? [`path:${f.asset.previousPath}`] : [])]),
    ]),
  ].sort();
  const optional = <K extends keyof AuditRecord>(key: K, value: AuditRecord[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
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
    assets: assets.slice(0, MAX_ASSETS_IN_RECORD),
    ...(assets.length > MAX_ASSETS_IN_RECORD ? { assetsOmitted: assets.length - MAX_ASSETS_IN_RECORD } : {}),
    decision: input.error || !input.policyValid || !decision ? "error" : decision.verdict,
    ...optional("mode", decision?.mode),
    ruleIds,
    findings: findings.slice(0, MAX_FINDINGS_IN_RECORD).map((f) => ({
      ruleId: f.ruleId,
      verdict: f.verdict,
      asset: `${f.asset.kind}:${f.asset.value}`,
      ...(f.agent ? { agent: f.agent } : {}),
      controls: controlsOf(f.ruleId),
    })),
    ...(findings.length > MAX_FINDINGS_IN_RECORD ? { findingsOmitted: findings.length - MAX_FINDINGS_IN_RECORD } : {}),
    frameworks: controlsOfAll(ruleIds),
    approvers: [...new Set((decision?.stepUps ?? []).flatMap((s) => [...s.users, ...s.teams.map((t) => `team:${t}`)]))].sort(),
    ...optional(
      "approvals",
      decision?.stepUpStatus?.map((s) => ({ stepUp: s.name, approvedBy: [...s.approvedBy], satisfied: s.satisfied })),
    ),
    ...optional("grants", input.grants),
    policy: {
      source: input.policy.source,
      path: input.policy.path,
      ref: input.policy.ref,
      ...(input.policy.sha ? { sha: input.policy.sha } : {}),
      valid: input.policyValid,
      ...(input.policy.baseline
        ? { baseline: { repository: input.policy.baseline.repository, path: input.policy.baseline.path, ...(input.policy.baseline.sha ? { sha: input.policy.baseline.sha } : {}) } }
        : {}),
    },
    response: input.response,
    responded: input.responseError === undefined,
    ...optional("conclusion", input.conclusion),
    ...optional("subjects", input.subjects),
    ...optional("target", input.target),
    ...optional("checkRunId", input.checkRunId),
    ...optional("issueNumber", input.issueNumber),
    ...optional("workflowRunId", input.workflowRunId),
    severity: input.severity ?? "info",
    ...optional("error", input.error),
    ...optional("responseError", input.responseError),
  };
}

/** The record for a change (pull request or push) evaluation reported as a check run. */
export function checkRunAuditRecord(
  context: AuditContext,
  input: {
    report: CheckReport;
    conclusion: Conclusion;
    published: { id: number } | { error: string };
  } & Partial<Pick<AuditRecord, "pullRequest" | "headSha" | "ref" | "subjects">>,
): AuditRecord {
  const { report, published } = input;
  const policyInvalid = Boolean(report.policyIssues?.length);
  const checkRunId = "id" in published ? published.id : undefined;
  return decisionAuditRecord(context, {
    ...(report.decision ? { decision: report.decision } : {}),
    policy: report.policy,
    policyValid: !policyInvalid,
    response: "check_run",
    conclusion: input.conclusion,
    ...(input.subjects ? { subjects: input.subjects } : {}),
    ...(input.pullRequest !== undefined ? { pullRequest: input.pullRequest } : {}),
    ...(input.headSha ? { headSha: input.headSha } : {}),
    ...(input.ref ? { ref: input.ref } : {}),
    ...(checkRunId !== undefined ? { checkRunId, target: { kind: "check_run", id: checkRunId } } : {}),
    ...(report.error ? { error: report.error } : {}),
    ...("error" in published ? { responseError: `could not post the check run: ${published.error}` } : {}),
    ...(report.changedPaths ? { assets: report.changedPaths.map((p) => `path:${p}`) } : {}),
    ...(report.grants?.active.length ? { grants: report.grants.active.map(auditGrantOf) } : {}),
    extraRuleIds: [
      ...(policyInvalid || report.proposedPolicyIssues?.length ? (["policy-invalid"] as const) : []),
      ...(report.error ? (["facts-unavailable"] as const) : []),
    ],
  });
}

/** A grant as audit records name it. */
export function auditGrantOf(grant: ActiveGrant): AuditGrant {
  return { agent: grant.agent, by: grant.by, scope: scopeItems(grant.scope), expires: grant.expires, reason: grant.reason };
}

/** The subjects that made up a commit's verdict, for the audit record. */
export function countedSubjects(verdict: CommitVerdict): NonNullable<AuditRecord["subjects"]> {
  return verdict.subjects.filter((s) => !s.notCounted).map((s) => ({ subject: s.key, conclusion: s.conclusion }));
}

/** Every path a change touched: both sides of renames and copies. */
export function touchedPaths(files: readonly ChangedFile[]): string[] {
  return files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path]));
}
