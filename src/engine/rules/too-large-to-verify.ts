import { agentFields, agentLabel } from "../describe.js";
import type { Rule } from "../rule.js";
import type { ChangeFacts, Finding } from "../types.js";

/** GitHub lists at most this many files of a pull request; at or above it the listing may be cut short. */
export const MAX_LISTED_FILES = 3000;

/**
 * Fails closed when the facts may be incomplete. Missing files only matter for
 * agent activity (the actors are known, so a human change stays a human
 * change). Missing commits matter always: an assistant may hide in an unlisted
 * commit, so the finding is reported even when no assistant was seen.
 */
export const tooLargeToVerify = {
  id: "too-large-to-verify",
  describe: "The change has more files or commits than GitHub lists, so not every path or author can be checked: deny.",
  evaluate({ agents, facts }) {
    const name = changeName(facts);
    const asset = { kind: "change" as const, value: name };
    const findings: Finding[] = [];
    const listed = new Set(facts.files.map((f) => f.path)).size;
    const pushIncomplete = facts.kind === "push" && !facts.filesComplete;
    const filesIncomplete = listed < facts.changedFiles || listed >= MAX_LISTED_FILES || pushIncomplete;
    if (filesIncomplete) {
      const what = pushIncomplete
        ? `GitHub's compare lists ${listed} files of the ${name} and may have left out more (it gives no total)`
        : `${name} changes ${Math.max(facts.changedFiles, listed)} files but GitHub lists ${listed}` +
          (listed >= MAX_LISTED_FILES ? ` (it lists at most ${MAX_LISTED_FILES})` : "");
      for (const agent of agents) {
        findings.push({
          ruleId: "too-large-to-verify",
          verdict: "deny",
          asset,
          ...agentFields(agent),
          message: `${what}, so the changes of ${agentLabel(agent)} cannot all be checked.`,
          remedy: `Split the change into smaller ${facts.kind === "push" ? "pushes" : "pull requests"}.`,
        });
      }
    }
    if (!facts.commitsComplete) {
      const what = `GitHub did not list every commit of ${name}`;
      const remedy = `Split the change into smaller ${facts.kind === "push" ? "pushes" : "pull requests"} with fewer commits.`;
      if (agents.length === 0) {
        findings.push({
          ruleId: "too-large-to-verify",
          verdict: "deny",
          asset,
          message: `${what}, so an AI assistant could be hidden in an unlisted commit; no assistant was seen, but that cannot be verified.`,
          remedy,
        });
      }
      for (const agent of agents) {
        findings.push({
          ruleId: "too-large-to-verify",
          verdict: "deny",
          asset,
          ...agentFields(agent),
          message: `${what}, so the authors of the changes by ${agentLabel(agent)} cannot all be checked.`,
          remedy,
        });
      }
    }
    return findings;
  },
} satisfies Rule;

function changeName(facts: ChangeFacts): string {
  return facts.kind === "push" ? `push to ${facts.headRef} (${facts.headSha.slice(0, 7)})` : `pull request #${facts.number}`;
}
