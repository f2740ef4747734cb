import { compareStrings } from "./compare.js";
import { RULE_IDS, type Finding, type Verdict } from "./types.js";

const VERDICT_ORDER: Record<Verdict, number> = { deny: 0, step_up: 1, allow: 2 };
const RULE_ORDER: ReadonlyMap<string, number> = new Map(RULE_IDS.map((id, i) => [id, i]));

/** Worst verdict first, then rule id (in `RULE_IDS` order), asset, agent, and every other field as a tie-break. */
export function compareFindings(a: Finding, b: Finding): number {
  return compareVisible(a, b) || compareStrings(findingKey(a), findingKey(b));
}

/**
 * Sorted and without exact duplicates (the same path listed twice, or
 * `src/../.env` next to `.env`). Sorting on the fields a reader sees first
 * and comparing whole findings only among those that tie keeps a decision
 * with hundreds of thousands of findings (many agents on a 3000-file change)
 * to one sort and one key per tie.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const sorted = [...findings].sort(compareVisible);
  const result: Finding[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && compareVisible(sorted[start]!, sorted[end]!) === 0) end++;
    if (end - start === 1) result.push(sorted[start]!);
    else {
      const unique = new Map<string, Finding>();
      for (let i = start; i < end; i++) {
        const key = findingKey(sorted[i]!);
        if (!unique.has(key)) unique.set(key, sorted[i]!);
      }
      for (const key of [...unique.keys()].sort(compareStrings)) result.push(unique.get(key)!);
    }
    start = end;
  }
  return result;
}

function compareVisible(a: Finding, b: Finding): number {
  return (
    VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] ||
    RULE_ORDER.get(a.ruleId)! - RULE_ORDER.get(b.ruleId)! ||
    compareStrings(a.asset.kind, b.asset.kind) ||
    compareStrings(a.asset.value, b.asset.value) ||
    compareStrings(a.asset.previousPath ?? "", b.asset.previousPath ?? "") ||
    compareStrings(a.agent ?? "", b.agent ?? "")
  );
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
