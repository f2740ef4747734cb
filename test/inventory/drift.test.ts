import { describe, expect, it } from "vitest";
import { detectDrift, DRIFT_THRESHOLDS } from "../../src/inventory/drift.js";
import { auditRecord } from "../e2e/inventory-fixture.js";

const NOW = new Date("2026-06-30T12:00:00Z");
const DAY = 86_400_000;
const bot = [{ key: "bot", declared: true, owner: "@o" }];
const at = (daysAgo: number, hour: number) => {
  const d = new Date(NOW.getTime() - daysAgo * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

/** 15 baseline records (days 8..36) in working hours, each touching src/a.ts. */
const baseline = Array.from({ length: 15 }, (_, i) => auditRecord({ repository: "o/r", time: at(8 + i * 2, 10 + (i % 3)), agents: bot, assets: ["path:src/a.ts"] }));

describe("detectDrift", () => {
  it("flags nothing for an assistant that behaves as it did", () => {
    const recent = Array.from({ length: 5 }, (_, i) => auditRecord({ repository: "o/r", time: at(1 + i, 11), agents: bot, assets: ["path:src/a.ts"] }));
    expect(detectDrift([...baseline, ...recent], NOW)).toEqual([]);
  });

  it("flags denials at or above 3x the baseline rate, with the numbers, and not below", () => {
    const denials = (n: number) => Array.from({ length: n }, (_, i) => auditRecord({ repository: "o/r", time: at(1 + (i % 6), 11), agents: bot, decision: "deny", assets: ["path:src/a.ts"] }));
    // Baseline: 3 denials in 30 days = 0.1/day; the threshold for the week is 0.3/day = 2.1 denials, but at least 5 are needed.
    const base = baseline.map((r, i) => (i < 3 ? { ...r, decision: "deny" as const } : r));
    expect(detectDrift([...base, ...denials(4)], NOW)).toEqual([]);
    expect(detectDrift([...base, ...denials(5)], NOW)).toEqual([
      { agent: "bot", signals: [{ metric: "denials", recent: 0.71, baseline: 0.1, recentCount: 5, baselineCount: 3 }] },
    ]);
  });

  it("flags a jump in distinct paths touched", () => {
    const recent = [auditRecord({ repository: "o/r", time: at(1, 11), agents: bot, assets: Array.from({ length: 6 }, (_, i) => `path:infra/${i}.tf`) })];
    expect(detectDrift([...baseline, ...recent], NOW)[0]!.signals).toEqual([
      { metric: "touched-paths", recent: 0.86, baseline: 0.03, recentCount: 6, baselineCount: 1 },
    ]);
  });

  it("flags activity at hours it never acted in, once the baseline is large enough", () => {
    const night = Array.from({ length: 5 }, (_, i) => auditRecord({ repository: "o/r", time: at(1 + i, 3), agents: bot, assets: ["path:src/a.ts"] }));
    expect(detectDrift([...baseline, ...night], NOW)[0]!.signals).toEqual([
      { metric: "activity-hours", recent: 1, baseline: 0, recentCount: 5, baselineCount: 15 },
    ]);
    // Too short a baseline says nothing about its hours.
    expect(detectDrift([...baseline.slice(0, DRIFT_THRESHOLDS.minBaseline - 1), ...night], NOW)).toEqual([]);
  });

  it("keeps each assistant to its own baseline", () => {
    const other = [{ key: "other", declared: true }];
    const recent = Array.from({ length: 5 }, (_, i) => auditRecord({ repository: "o/r", time: at(1 + i, 11), agents: other, decision: "deny" }));
    expect(detectDrift([...baseline, ...recent], NOW).map((f) => f.agent)).toEqual(["other"]);
  });
});
