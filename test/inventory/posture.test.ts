import { describe, expect, it } from "vitest";
import type { ChainedAuditRecord } from "../../src/audit/audit-chain.js";
import { postureRows } from "../../src/inventory/inventory-data.js";
import { auditRecord } from "../e2e/inventory-fixture.js";

const chained = (seq: number, fields: Parameters<typeof auditRecord>[0]): ChainedAuditRecord => ({ ...auditRecord(fields), seq, prevHash: "0".repeat(64), hash: String(seq).repeat(64).slice(0, 64) });

describe("posture: the policy in force per repository", () => {
  it("names the org baseline the newest record was judged under, and none where there was none", () => {
    const rows = postureRows([
      chained(1, { repository: "acme/api", time: "2026-11-01T10:00:00Z" }),
      chained(2, {
        repository: "acme/api",
        time: "2026-11-02T10:00:00Z",
        policy: { source: "repository", path: ".agent-policy.yml", ref: "main", sha: "1".repeat(40), valid: true, baseline: { repository: "acme/.github", path: ".agent-policy.yml", sha: "b".repeat(40) } },
      }),
      chained(3, { repository: "acme/web", time: "2026-11-02T10:00:00Z" }),
    ]);
    expect(rows.map((r) => [r.repository, r.baseline])).toEqual([
      ["acme/api", "acme/.github:.agent-policy.yml@bbbbbbbbbbbb"],
      ["acme/web", undefined],
    ]);
  });
});
