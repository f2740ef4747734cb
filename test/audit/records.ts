import type { AuditRecord } from "../../src/audit/audit-record.js";

/** A complete, plausible audit record; `overrides` change single fields. */
export function sampleRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    schemaVersion: 1,
    time: "2026-11-27T12:00:00.000Z",
    deliveryId: "d-1",
    installationId: 1,
    repository: "acme/api",
    event: "pull_request",
    action: "opened",
    actor: { login: "devin-ai-integration[bot]", id: 158243242 },
    pullRequest: 11,
    agents: [{ key: "devin", declared: true, owner: "@octo-lead" }],
    assets: ["path:.env"],
    decision: "deny",
    mode: "enforce",
    ruleIds: ["secret-file"],
    findings: [{ ruleId: "secret-file", verdict: "deny", asset: "path:.env", agent: "devin", controls: ["NHI2", "ASI03", "PR.AA-05", "PR.DS-01"] }],
    frameworks: { nhi: ["NHI2"], asi: ["ASI03"], csf: ["PR.AA-05", "PR.DS-01"] },
    approvers: [],
    policy: { source: "repository", path: ".agent-policy.yml", ref: "main", valid: true },
    response: "check_run",
    responded: true,
    conclusion: "failure",
    severity: "info",
    ...overrides,
  };
}

/** The record of a grant's expiry on acme/api#11, given by comment `commentId`. */
export function expiryRecord(commentId = 5501, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return sampleRecord({
    event: "grant_expiry",
    decision: "allow",
    ruleIds: [],
    findings: [],
    assets: ["path:infra/**"],
    response: "none",
    grantAction: "expired",
    commandCommentId: commentId,
    grants: [{ agent: "devin", by: "octo-lead", scope: ["paths:infra/**"], expires: "2026-11-27T12:00:00.000Z", reason: "OPS-1" }],
    ...overrides,
  });
}
