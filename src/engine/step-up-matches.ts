import type { Policy } from "../policy/schema.js";
import { globSet } from "./glob.js";
import type { GlobSet } from "./glob-set.js";
import type { ChangedPath } from "./paths.js";

type StepUpRule = Policy["step_up"][number];

interface Combined {
  set: GlobSet;
  /** For each glob of the combined list, the index of the rule it came from. */
  ruleOf: number[];
}

// One combined glob list per policy's step_up list (the same array for every event under that policy).
const combined = new WeakMap<readonly StepUpRule[], Combined>();

function combine(rules: readonly StepUpRule[]): Combined {
  let found = combined.get(rules);
  if (!found) {
    const patterns: string[] = [];
    const ruleOf: number[] = [];
    rules.forEach((rule, index) => {
      for (const pattern of rule.when.paths) {
        patterns.push(pattern);
        ruleOf.push(index);
      }
    });
    // `when.paths` match case-insensitively (deny side): a trigger must not be dodged by case.
    found = { set: globSet(patterns, "deny"), ruleOf };
    combined.set(rules, found);
  }
  return found;
}

/**
 * For each `step_up` rule (by index), the changed paths it names, each with
 * the first of the rule's globs that matches it: what testing every rule's
 * globs against every path gives, with one indexed lookup per path.
 */
export function stepUpMatches(rules: readonly StepUpRule[], files: readonly ChangedPath[]): { file: ChangedPath; pattern: string }[][] {
  const result: { file: ChangedPath; pattern: string }[][] = rules.map(() => []);
  if (rules.length === 0) return result;
  const { set, ruleOf } = combine(rules);
  for (const file of files) {
    let lastRule = -1;
    for (const index of set.all(file.path)) {
      const rule = ruleOf[index]!;
      if (rule === lastRule) continue;
      lastRule = rule;
      result[rule]!.push({ file, pattern: set.patterns[index]! });
    }
  }
  return result;
}
