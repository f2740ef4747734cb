import { agentFields, agentLabel } from "../describe.js";
import type { Rule, RuleContext } from "../rule.js";
import type { ActorRole, Finding } from "../types.js";

const MERGE_ROLES: ReadonlySet<ActorRole> = new Set(["merged_by", "auto_merge_enabler"]);

/**
 * An incident: merging is a human's decision. Only an assistant that merged
 * the pull request or enabled its auto-merge counts (a merge of an
 * assistant's pull request by a human is the intended flow), and only on a
 * pull request's facts; the merge shell lists just those actors.
 */
export const mergeByAgent = {
  id: "merge-by-agent",
  describe: "An AI assistant merges a pull request or enables its auto-merge: incident.",
  evaluate({ agents, facts }: Pick<RuleContext, "agents" | "facts">) {
    if (facts.kind !== "pull_request") return [];
    return agents.flatMap((agent): Finding[] => {
      const role = agent.evidence.find((e) => MERGE_ROLES.has(e.role))?.role;
      if (role === undefined) return [];
      const did = role === "merged_by" ? "merged" : "enabled auto-merge of";
      return [
        {
          ruleId: "merge-by-agent",
          verdict: "deny",
          asset: { kind: "change", value: `pull request #${facts.number}` },
          ...agentFields(agent),
          message: `${agentLabel(agent)} ${did} pull request #${facts.number} into ${facts.baseRef}; only a human may merge.`,
          remedy:
            (role === "merged_by" ? "Review the merged change and revert it if it was not approved" : "Disable auto-merge and review the pull request") +
            "; then remove the assistant's merge rights (branch ruleset, or the app's permissions).",
        },
      ];
    });
  },
} satisfies Rule;
