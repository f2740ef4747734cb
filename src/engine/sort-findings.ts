import { compareStrings } from "./compare.js";
import { RULE_IDS, type Finding, type Verdict } from "./types.js";

const VERDICT_ORDER: Record<Verdict, number> = { deny: 0, step_up: 1, allow: 2 };

/** Worst verdict first, then rule id (in `RULE_IDS` order), asset, agent, and every other field as a tie-break. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
    RULE_IDS.indexOf(a.ruleId) - RULE_IDS.indexOf(b.ruleId) ||
    compareStrings(a.asset.kind, b.asset.kind) ||
    compareStrings(a.asset.value, b.asset.value) ||
    compareStrings(a.asset.previousPath ?? "", b.asset.previousPath ?? "") ||
    compareStrings(a.agent ?? "", b.agent ?? "") ||
    compareStrings(findingKey(a), findingKey(b))
  );
}

/** Sorted and without exact duplicates (the same path listed twice, or `src/../.env` next to `.env`). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const unique = new Map<string, Finding>();
  for (const finding of findings) {
    const key = findingKey(finding);
    if (!unique.has(key)) unique.set(key, finding);
  }
  return [...unique.values()].sort(compareFindings);
}

/** Every field, in a fixed order, so equal findings have equal keys whatever order their properties were set in. */
function findingKey(f: Finding): string {
  return JSON.stringify([
    f.ruleId,
    f.verdict,
    f.asset.kind,
    f.asset.value,
    f.asset.previousPath ?? null,
    f.agent ?? null,
    f.owner ?? null,
    f.stepUp ?? null,
    f.line ?? null,
    f.column ?? null,
    f.message,
    f.remedy ?? null,
  ]);
}
