import { braceExpand } from "minimatch";
import { isScalar, visit, type Document } from "yaml";
import { GLOB_LIMITS } from "../engine/glob.js";
import { densityBudget, YAML_LIMITS } from "./read-policy-yaml.js";

/**
 * Brace patterns allowed across the whole policy. One glob may expand to
 * GLOB_LIMITS.maxExpansions patterns, but thousands of such globs would make
 * validation (and every later match) cost seconds; real policies use a few.
 */
export const MAX_BRACE_PATTERNS = 2048;

export interface BudgetProblem {
  range: [number, number];
  message: string;
}

/**
 * Refuses a composed document with more nodes than its size allows (see
 * YAML_LIMITS), or whose brace-bearing strings expand to more than
 * MAX_BRACE_PATTERNS patterns, before any schema check spends time on them.
 * Every string with a `{` counts as at least one pattern, so the expander runs
 * at most MAX_BRACE_PATTERNS times.
 */
export function checkDocumentBudget(doc: Document.Parsed): BudgetProblem | undefined {
  let nodes = 0;
  let patterns = 0;
  let problem: BudgetProblem | undefined;
  visit(doc, {
    Node(_, node) {
      const range: [number, number] = node.range ? [node.range[0], node.range[1]] : [0, 0];
      const budget = densityBudget(YAML_LIMITS.maxNodes, range[0], YAML_LIMITS.bytesPerNode);
      if (++nodes > budget) {
        const where = budget > YAML_LIMITS.maxNodes ? ` in its first ${range[0]} bytes` : "";
        problem = {
          range,
          message: `the policy file is too large to check: more than ${budget} YAML values${where} (a policy is normally a few hundred lines)`,
        };
        return visit.BREAK;
      }
      if (isScalar(node) && typeof node.value === "string" && node.value.includes("{")) {
        patterns += expansions(node.value);
        if (patterns > MAX_BRACE_PATTERNS) {
          problem = {
            range,
            message: `the policy's brace patterns such as {a,b} expand to more than ${MAX_BRACE_PATTERNS} globs in total; list fewer alternatives`,
          };
          return visit.BREAK;
        }
      }
      return undefined;
    },
  });
  return problem;
}

/** Brace expansions of one string, capped one past the per-glob limit (which the schema reports on its own). */
function expansions(value: string): number {
  if (value.length > GLOB_LIMITS.maxLength) return 1;
  return Math.max(1, braceExpand(value, { braceExpandMax: GLOB_LIMITS.maxExpansions + 1 }).length);
}
