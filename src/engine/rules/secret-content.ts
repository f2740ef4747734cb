import { compareStrings } from "../compare.js";
import { agentFields, agentLabel } from "../describe.js";
import { normalizeChangedPath } from "../paths.js";
import type { Rule } from "../rule.js";
import { MAX_HITS_PER_FILE, scanAddedLines, type SecretHit } from "../secrets/scan.js";
import type { AgentActivity, ChangedFile, Finding } from "../types.js";

/** Hits reported per change (per agent): enough to show the problem, bounded for check-run annotations. */
export const MAX_HITS_PER_CHANGE = 200;

/** One credential found, before it is attributed to each agent. */
type Problem = { path: string; hit: SecretHit };

/**
 * Added lines that carry a credential. Content GitHub gives no diff for (a
 * binary file, a diff too large to show or cut off) cannot be scanned here:
 * the unscannable-change rule reports it.
 */
export const secretContent = {
  id: "secret-content",
  describe: "An AI assistant's change adds lines that carry a credential (AWS key, GitHub token, private key, …): deny.",
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
    if (file.patch === undefined) continue;
    for (const hit of scanAddedLines(file.patch, Math.min(room, MAX_HITS_PER_FILE))) problems.push({ path, hit });
  }
  return problems;
}

function toFinding(agent: AgentActivity, { path, hit }: Problem): Finding {
  return {
    ruleId: "secret-content",
    verdict: "deny",
    asset: { kind: "path", value: path },
    ...agentFields(agent),
    line: hit.line,
    column: hit.column,
    message: `${agentLabel(agent)} added what looks like ${withArticle(hit.kind)} (${hit.masked}) at line ${hit.line} of ${path}; remove it and rotate the credential.`,
    remedy: "Remove the credential from the branch, including its history, and rotate it: once pushed, treat it as leaked.",
  };
}

/** `an AWS access key id`, `an npm access token`, `a GitHub token`. */
function withArticle(kind: string): string {
  return /^(?:[aeiou]|npm\b)/i.test(kind) ? `an ${kind}` : `a ${kind}`;
}
