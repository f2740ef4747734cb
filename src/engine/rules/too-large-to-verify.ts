import { agentFields, agentLabel } from "../describe.js";
import type { Rule } from "../rule.js";
import type { AgentActivity, ChangeFacts, Finding } from "../types.js";

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
    const units = facts.kind === "push" ? "pushes" : "pull requests";
    const findings: Finding[] = [];
    const deny = (message: string, remedy: string, agent?: AgentActivity) =>
      findings.push({ ruleId: "too-large-to-verify", verdict: "deny", asset, ...(agent ? agentFields(agent) : {}), message, remedy });
    const listed = new Set(facts.files.map((f) => f.path)).size;
    const pushIncomplete = facts.kind === "push" && !facts.filesComplete;
    const filesIncomplete = listed < facts.changedFiles || listed >= MAX_LISTED_FILES || pushIncomplete;
    if (filesIncomplete) {
      const what = pushIncomplete
        ? `GitHub's compare lists ${listed} files of the ${name} and may have left out more (it gives no total)`
        : `${name} changes ${Math.max(facts.changedFiles, listed)} files but GitHub lists ${listed}` +
          (listed >= MAX_LISTED_FILES ? ` (it lists at most ${MAX_LISTED_FILES})` : "");
      for (const agent of agents) deny(`${what}, so the changes of ${agentLabel(agent)} cannot all be checked.`, `Split the change into smaller ${units}.`, agent);
    }
    if (!facts.commitsComplete) {
      const what = `GitHub did not list every commit of ${name}`;
      const remedy = `Split the change into smaller ${units} with fewer commits.`;
      if (agents.length === 0) {
        deny(`${what}, so an AI assistant could be hidden in an unlisted commit; no assistant was seen, but that cannot be verified.`, remedy);
      }
      for (const agent of agents) deny(`${what}, so the authors of the changes by ${agentLabel(agent)} cannot all be checked.`, remedy, agent);
    }
    return findings;
  },
} satisfies Rule;

function changeName(facts: ChangeFacts): string {
  return facts.kind === "push" ? `push to ${facts.headRef} (${facts.headSha.slice(0, 7)})` : `pull request #${facts.number}`;
}
