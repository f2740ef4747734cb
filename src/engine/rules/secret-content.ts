import { compareStrings } from "../compare.js";
import { agentFields, agentLabel } from "../describe.js";
import { normalizeChangedPath } from "../paths.js";
import type { Rule } from "../rule.js";
import { MAX_HITS_PER_FILE, scanAddedLines, type SecretHit } from "../secrets/scan.js";
import type { AgentActivity, ChangedFile, Finding } from "../types.js";

/** Hits reported per change (per agent): enough to show the problem, bounded for check-run annotations. */
export const MAX_HITS_PER_CHANGE = 200;

/** One reason to deny, before it is attributed to each agent. */
type Problem = { path: string; hit: SecretHit } | { path: string; unscanned: number };

/**
 * Added lines that carry a credential. A file with additions but no `patch`
 * (GitHub omits it for binary and too-large diffs) is denied as well: fail
 * closed, because its content could not be scanned and an assistant could
 * otherwise slip a credential past the rule by making the diff large.
 * Removed files and files without additions need no patch.
 */
export const secretContent = {
  id: "secret-content",
  describe: "An AI assistant's change adds lines that carry a credential (AWS key, GitHub token, private key, …), or adds lines GitHub gives no diff for to scan: deny.",
  evaluate({ agents, facts }) {
    if (agents.length === 0) return [];
    const problems = findProblems(facts.files);
    return agents.flatMap((agent) => problems.map((problem) => toFinding(agent, problem)));
  },
} satisfies Rule;

/** Files in path order, so the change cap keeps the same hits whatever the order of the facts. */
function findProblems(files: readonly ChangedFile[]): Problem[] {
  const sorted = files
    .filter((f) => f.status !== "removed")
    .map((f) => ({ file: f, path: normalizeChangedPath(f.path).path }))
    .sort((a, b) => compareStrings(a.path, b.path));
  const problems: Problem[] = [];
  for (const { file, path } of sorted) {
    const room = MAX_HITS_PER_CHANGE - problems.length;
    if (room <= 0) break;
    if (file.patch !== undefined) {
      for (const hit of scanAddedLines(file.patch, Math.min(room, MAX_HITS_PER_FILE))) problems.push({ path, hit });
    } else if (file.additions > 0) {
      problems.push({ path, unscanned: file.additions });
    }
  }
  return problems;
}

function toFinding(agent: AgentActivity, problem: Problem): Finding {
  const base = { ruleId: "secret-content", verdict: "deny", asset: { kind: "path", value: problem.path }, ...agentFields(agent) } as const;
  if ("hit" in problem) {
    const { hit } = problem;
    return {
      ...base,
      line: hit.line,
      column: hit.column,
      message: `${agentLabel(agent)} added what looks like ${withArticle(hit.kind)} (${hit.masked}) at line ${hit.line} of ${problem.path}; remove it and rotate the credential.`,
      remedy: "Remove the credential from the branch, including its history, and rotate it: once pushed, treat it as leaked.",
    };
  }
  const lines = problem.unscanned === 1 ? "1 line" : `${problem.unscanned} lines`;
  return {
    ...base,
    message: `${agentLabel(agent)} added ${lines} to ${problem.path}, but GitHub gave no diff to scan for credentials (binary or too large); a human must review it.`,
    remedy: "Have a human make or review this change, or split it so that GitHub shows the file's diff.",
  };
}

/** `an AWS access key id`, `an npm access token`, `a GitHub token`. */
function withArticle(kind: string): string {
  return /^(?:[aeiou]|npm\b)/i.test(kind) ? `an ${kind}` : `a ${kind}`;
}
