import type { AuditRecord } from "../audit/audit-record.js";

const DAY = 86_400_000;

/**
 * When an assistant's recent behaviour counts as a departure from its own
 * baseline. The recent window is the last 7 days; the baseline is the 30
 * days before it. A rate (denials per day, distinct paths touched per day)
 * is flagged when the recent one is at least `ratio` times the baseline's
 * and the recent window holds at least `minRecent` of them (a new assistant
 * with no baseline is flagged at `minRecent`). Activity hours are flagged
 * when at least `offHoursShare` of its recent records (and at least
 * `minRecent` of them) fall in UTC hours it never acted in during a baseline
 * of at least `minBaseline` records.
 */
export const DRIFT_THRESHOLDS = { recentDays: 7, baselineDays: 30, ratio: 3, minRecent: 5, offHoursShare: 0.5, minBaseline: 10 } as const;

export interface DriftSignal {
  metric: "denials" | "touched-paths" | "activity-hours";
  /** Per day for rates; share of recent records in unseen hours for activity hours. */
  recent: number;
  baseline: number;
  /** Counts behind the numbers. */
  recentCount: number;
  baselineCount: number;
}

export interface DriftFlag {
  agent: string;
  signals: DriftSignal[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The assistants whose recent behaviour departs from their own baseline, with the numbers that triggered it. */
export function detectDrift(records: readonly AuditRecord[], now: Date, thresholds = DRIFT_THRESHOLDS): DriftFlag[] {
  const end = now.getTime();
  const recentStart = end - thresholds.recentDays * DAY;
  const baselineStart = recentStart - thresholds.baselineDays * DAY;
  type Window = { records: number; denials: number; paths: Set<string>; hours: Set<number>; hourList: number[] };
  const fresh = (): Window => ({ records: 0, denials: 0, paths: new Set(), hours: new Set(), hourList: [] });
  const byAgent = new Map<string, { recent: Window; baseline: Window }>();
  for (const record of records) {
    const time = Date.parse(record.time);
    if (!(time >= baselineStart && time <= end)) continue;
    for (const agent of record.agents) {
      let windows = byAgent.get(agent.key);
      if (!windows) byAgent.set(agent.key, (windows = { recent: fresh(), baseline: fresh() }));
      const w = time >= recentStart ? windows.recent : windows.baseline;
      w.records++;
      if (record.decision === "deny") w.denials++;
      for (const asset of record.assets) if (asset.startsWith("path:")) w.paths.add(asset.slice(5));
      const hour = new Date(time).getUTCHours();
      w.hours.add(hour);
      w.hourList.push(hour);
    }
  }
  const flags: DriftFlag[] = [];
  for (const [agent, { recent, baseline }] of byAgent) {
    const signals: DriftSignal[] = [];
    const rate = (metric: "denials" | "touched-paths", r: number, b: number) => {
      const recentRate = r / thresholds.recentDays;
      const baselineRate = b / thresholds.baselineDays;
      if (r >= thresholds.minRecent && recentRate >= thresholds.ratio * baselineRate) {
        signals.push({ metric, recent: round(recentRate), baseline: round(baselineRate), recentCount: r, baselineCount: b });
      }
    };
    rate("denials", recent.denials, baseline.denials);
    rate("touched-paths", recent.paths.size, baseline.paths.size);
    if (baseline.records >= thresholds.minBaseline && recent.records >= thresholds.minRecent) {
      const unseen = recent.hourList.filter((h) => !baseline.hours.has(h)).length;
      const share = unseen / recent.records;
      if (share >= thresholds.offHoursShare) {
        signals.push({ metric: "activity-hours", recent: round(share), baseline: 0, recentCount: unseen, baselineCount: baseline.records });
      }
    }
    if (signals.length) flags.push({ agent, signals });
  }
  return flags.sort((a, b) => a.agent.localeCompare(b.agent));
}
