import { describe, expect, it } from "vitest";
import { decisionAuditRecord, MAX_ASSETS_IN_RECORD, MAX_FINDINGS_IN_RECORD } from "../../src/audit/audit-record.js";
import { controlsOf, FRAMEWORK_MAPPING, NIST_CSF_2, OWASP_AGENTIC_2026, OWASP_NHI_2025 } from "../../src/audit/framework-mapping.js";
import { RULE_IDS, type Decision, type Finding } from "../../src/engine/types.js";

const context = { time: new Date("2026-11-27T12:00:00Z"), deliveryId: "d-1", installationId: 7, repository: "acme/api", event: "push", actor: { login: "Copilot", id: 198982749 } };
const policy = { source: "repository" as const, path: ".agent-policy.yml", ref: "main", sha: "abc" };

function decision(findings: Finding[]): Decision {
  return {
    verdict: findings.length ? "deny" : "allow",
    mode: "enforce",
    agentActivity: true,
    agents: [{ key: "copilot", declared: true, name: "copilot", owner: "@acme/platform", evidence: [] }],
    findings,
    stepUps: [],
    evaluatedAt: context.time.toISOString(),
  };
}

const secretRename: Finding = {
  ruleId: "secret-file",
  verdict: "deny",
  asset: { kind: "path", value: "notes.txt", previousPath: ".env" },
  agent: "copilot",
  message: "m",
};

describe("audit records", () => {
  it("carry the schema version, the context, every asset touched and each finding's framework ids", () => {
    const record = decisionAuditRecord(context, {
      decision: decision([secretRename]),
      policy,
      policyValid: true,
      response: "check_run",
      assets: ["path:src/a.ts", "path:notes.txt"],
    });
    expect(record).toMatchObject({
      schemaVersion: 1,
      time: "2026-11-27T12:00:00.000Z",
      deliveryId: "d-1",
      installationId: 7,
      repository: "acme/api",
      event: "push",
      actor: { login: "Copilot", id: 198982749 },
      agents: [{ key: "copilot", declared: true, owner: "@acme/platform" }],
      assets: ["path:.env", "path:notes.txt", "path:src/a.ts"],
      decision: "deny",
      ruleIds: ["secret-file"],
      findings: [{ ruleId: "secret-file", verdict: "deny", asset: "path:notes.txt", agent: "copilot", controls: ["NHI2", "ASI03", "PR.AA-05", "PR.DS-01"] }],
      frameworks: { nhi: ["NHI2"], asi: ["ASI03"], csf: ["PR.AA-05", "PR.DS-01"] },
      policy: { source: "repository", path: ".agent-policy.yml", ref: "main", sha: "abc", valid: true },
      responded: true,
      severity: "info",
    });
    expect(record).not.toHaveProperty("responseError");
  });

  it("say that the response failed, apart from why the decision is incomplete", () => {
    const record = decisionAuditRecord(context, {
      decision: decision([]),
      policy,
      policyValid: true,
      response: "cancel_workflow_run",
      responseError: "could not cancel the run: HTTP 500",
      workflowRunId: 42,
    });
    expect(record).toMatchObject({ decision: "allow", responded: false, responseError: "could not cancel the run: HTTP 500", workflowRunId: 42 });
    const unreadable = decisionAuditRecord(context, { policy, policyValid: true, response: "none", error: "HTTP 502", extraRuleIds: ["facts-unavailable"] });
    expect(unreadable).toMatchObject({ decision: "error", responded: true, error: "HTTP 502", frameworks: { nhi: [], asi: [], csf: ["DE.CM-09"] } });
  });

  it("bound findings and assets, and count what was left out", () => {
    const many = Array.from({ length: MAX_FINDINGS_IN_RECORD + 5 }, (_, i) => ({ ...secretRename, asset: { kind: "path" as const, value: `f${i}` } }));
    const paths = Array.from({ length: MAX_ASSETS_IN_RECORD + 10 }, (_, i) => `path:p${i}`);
    const record = decisionAuditRecord(context, { decision: decision(many), policy, policyValid: true, response: "check_run", assets: paths });
    expect(record.findings).toHaveLength(MAX_FINDINGS_IN_RECORD);
    expect(record.findingsOmitted).toBe(5);
    expect(record.assets).toHaveLength(MAX_ASSETS_IN_RECORD);
    expect(record.assetsOmitted).toBe(MAX_FINDINGS_IN_RECORD + 5 + MAX_ASSETS_IN_RECORD + 10 - MAX_ASSETS_IN_RECORD);
  });
});

describe("framework mapping", () => {
  it("maps every rule id to known OWASP NHI, OWASP Agentic and NIST CSF ids, and names at least one", () => {
    for (const id of RULE_IDS) {
      const m = FRAMEWORK_MAPPING[id];
      for (const nhi of m.nhi) expect(OWASP_NHI_2025).toHaveProperty(nhi);
      for (const asi of m.asi) expect(OWASP_AGENTIC_2026).toHaveProperty(asi);
      for (const csf of m.csf) expect(NIST_CSF_2).toHaveProperty([csf]);
      expect(controlsOf(id).length, id).toBeGreaterThan(0);
    }
    expect(controlsOf("secret-file")).toEqual(expect.arrayContaining(["NHI2", "PR.AA-05"]));
  });
});
