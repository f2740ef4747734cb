import { compareStrings } from "./compare.js";
import { RULE_IDS, type Finding, type Verdict } from "./types.js";

const VERDICT_ORDER: Record<Verdict, number> = { deny: 0, step_up: 1, allow: 2 };
const VERDICT_COUNT = Object.keys(VERDICT_ORDER).length;
const RULE_ORDER: ReadonlyMap<string, number> = new Map(RULE_IDS.map((id, i) => [id, i]));
const RULE_COUNT = RULE_IDS.length;

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
 *
 * The sort itself runs on numbers: each distinct verdict and rule, asset and
 * agent is ranked once (a few thousand strings compared, not a few hundred
 * thousand findings), and the findings are ordered by one number that packs
 * those ranks with the finding's position, so ties keep their input order as
 * a stable comparison sort would.
 */
export function sortFindings(findings: readonly Finding[], packLimit: number = Number.MAX_SAFE_INTEGER): Finding[] {
  const { order, tie } = visibleOrder(findings, packLimit);
  const result: Finding[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && tie(order[start]!, order[end]!)) end++;
    if (end - start === 1) result.push(findings[order[start]!]!);
    else {
      const unique = new Map<string, Finding>();
      for (let i = start; i < end; i++) {
        const finding = findings[order[i]!]!;
        const key = findingKey(finding);
        if (!unique.has(key)) unique.set(key, finding);
      }
      for (const key of [...unique.keys()].sort(compareStrings)) result.push(unique.get(key)!);
    }
    start = end;
  }
  return result;
}

/** A distinct asset (kind, value, previous path) among the findings, and its rank once they are sorted. */
interface AssetEntry {
  kind: string;
  value: string;
  previousPath: string;
  rank: number;
}

/**
 * The findings' positions in `compareVisible` order (ties in input order), and
 * whether two positions tie. Ranks and position are packed into one exact
 * integer, sorted without a comparison function; were that integer ever past
 * `packLimit` (it takes millions of distinct assets and agents to pass 2^53),
 * the findings are compared field by field instead.
 */
function visibleOrder(findings: readonly Finding[], packLimit: number): { order: ArrayLike<number>; tie: (a: number, b: number) => boolean } {
  const n = findings.length;
  // Distinct assets, by kind, then value, then previous path (absent reads as "", as compareVisible reads it).
  const assets = new Map<string, Map<string, Map<string, AssetEntry>>>();
  const agents = new Map<string, number>();
  const entries: AssetEntry[] = [];
  const entryOf: AssetEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const { asset, agent } = findings[i]!;
    let byValue = assets.get(asset.kind);
    if (!byValue) assets.set(asset.kind, (byValue = new Map()));
    let byPrevious = byValue.get(asset.value);
    if (!byPrevious) byValue.set(asset.value, (byPrevious = new Map()));
    const previousPath = asset.previousPath ?? "";
    let entry = byPrevious.get(previousPath);
    if (!entry) {
      entry = { kind: asset.kind, value: asset.value, previousPath, rank: 0 };
      byPrevious.set(previousPath, entry);
      entries.push(entry);
    }
    entryOf[i] = entry;
    agents.set(agent ?? "", 0);
  }
  const assetCount = entries.length;
  const agentCount = agents.size;
  // A verdict or rule id outside the known lists has no rank (the types allow none): compare those findings field by field.
  const ranked = findings.every((f) => Object.hasOwn(VERDICT_ORDER, f.verdict) && RULE_ORDER.has(f.ruleId));
  if (!ranked || VERDICT_COUNT * RULE_COUNT * assetCount * agentCount * n > packLimit) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareVisible(findings[a]!, findings[b]!) || a - b);
    return { order, tie: (a, b) => compareVisible(findings[a]!, findings[b]!) === 0 };
  }

  entries.sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.value, b.value) || compareStrings(a.previousPath, b.previousPath));
  entries.forEach((entry, rank) => (entry.rank = rank));
  [...agents.keys()].sort(compareStrings).forEach((agent, rank) => agents.set(agent, rank));
  const ranks = new Float64Array(n);
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = findings[i]!;
    const rank = ((VERDICT_ORDER[f.verdict] * RULE_COUNT + RULE_ORDER.get(f.ruleId)!) * assetCount + entryOf[i]!.rank) * agentCount + agents.get(f.agent ?? "")!;
    ranks[i] = rank;
    packed[i] = rank * n + i;
  }
  packed.sort();
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = packed[k]! % n;
  return { order, tie: (a, b) => ranks[a] === ranks[b] };
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
