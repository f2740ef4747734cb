import type { LineCounter } from "yaml";

/** One problem found in a policy file, positioned for check-run annotations. */
export interface PolicyIssue {
  /** Repository-relative path of the policy file. */
  path: string;
  /** Where in the policy the problem is, e.g. `["agents", "copilot", "owner"]`; empty when it concerns the whole file. */
  keyPath: (string | number)[];
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  endLine?: number;
  endColumn?: number;
  /** One sentence a maintainer can act on. */
  message: string;
}

/** `.agent-policy.yml:12:5: message`, the shape compilers and editors understand. */
export function formatPolicyIssue(issue: PolicyIssue): string {
  return `${issue.path}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** `agents.copilot.paths.allow[0]`; keys that are not plain words are quoted (`agents["my agent"]`). */
export function formatKeyPath(keyPath: readonly (string | number)[]): string {
  let text = "";
  for (const segment of keyPath) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Builds an issue at source offsets `[start, end)`, turned into 1-based line/column. */
export function issueAt(
  file: string,
  lineCounter: LineCounter,
  range: readonly [number, number],
  keyPath: (string | number)[],
  message: string,
): PolicyIssue {
  const start = lineCounter.linePos(range[0]);
  const end = lineCounter.linePos(Math.max(range[0], range[1]));
  return {
    path: file,
    keyPath,
    line: start.line,
    column: start.col,
    endLine: end.line,
    endColumn: end.col,
    message,
  };
}

/** Sorted by position, capped so a file with thousands of errors still gives a readable (and bounded) report. */
export function reportable(issues: PolicyIssue[], max = 50): PolicyIssue[] {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
  if (sorted.length <= max) return sorted;
  const kept = sorted.slice(0, max);
  const next = sorted[max]!;
  kept.push({ ...next, message: `${sorted.length - max} more problems are not shown; fix the ones above first` });
  return kept;
}
