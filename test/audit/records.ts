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
