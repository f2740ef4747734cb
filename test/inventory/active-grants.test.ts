import { describe, expect, it } from "vitest";
import type { ChainedAuditRecord } from "../../src/audit/audit-chain.js";
import { agentRows } from "../../src/inventory/inventory-data.js";

const NOW = new Date("2026-11-27T12:00:00Z");
let seq = 0;
const grant = (expires: string, by = "octo-lead") => ({ agent: "copilot", by, scope: ["paths:infra/**"], expires, reason: "OPS-1" });

function record(extra: Record<string, unknown>): ChainedAuditRecord {
  seq += 1;
  return {
    schemaVersion: 1,
    time: "2026-11-27T11:00:00Z",
    deliveryId: `d-${seq}`,
    repository: "acme/widgets",
    event: "issue_comment",
    pullRequest: 2,
    agents: [{ key: "copilot", declared: true, owner: "@acme/platform" }],
    assets: [],
    decision: "allow",
    ruleIds: [],
    findings: [],
    frameworks: { nhi: [], asi: [], csf: [] },
    approvers: [],
    policy: { source: "repository", path: ".agent-policy.yml", ref: "main", valid: true },
    response: "grant_reply",
    responded: true,
    severity: "info",
    seq,
    prevHash: "0",
    hash: "0",
    ...extra,
  } as unknown as ChainedAuditRecord;
}

describe("the inventory's active grants", () => {
  it("lists a grant once from its grant record, not again per check run that applied it, and drops it once revoked or expired", () => {
    const open = grant("2026-11-27T15:00:00.000Z");
    const revokedLater = grant("2026-11-27T16:00:00.000Z", "octo-sec");
    const expired = grant("2026-11-27T11:30:00.000Z", "octo-ops");
    const records = [
      record({ grantAction: "granted", grants: [open] }),
      record({ grantAction: "granted", grants: [revokedLater] }),
      record({ grantAction: "granted", grants: [expired] }),
      record({ event: "pull_request", response: "check_run", grants: [open, revokedLater] }),
      record({ grantAction: "revoked", grants: [revokedLater] }),
      record({ grantAction: "refused", grants: [], refusal: "no" }),
    ];
    const [row] = agentRows(records, NOW);
    expect(row!.activeGrants).toEqual([{ by: "octo-lead", scope: ["paths:infra/**"], expires: open.expires, repository: "acme/widgets", pullRequest: 2 }]);
  });
});
