import { agentFields, agentLabel, listPatterns } from "../describe.js";
import { matchesAny } from "../glob.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * Branch names match case as stored (allow side); an empty `branches` list
 * allows no branch. A pushed tag is not a branch (tags are out of scope);
 * GitHub merging a pull request pushes its base, which no assistant worked on.
 */
export const branchScope = {
  id: "branch-scope",
  describe: "A declared AI assistant works on a head branch outside its `branches`: deny.",
  evaluate({ agents, policy, facts }) {
    if (facts.kind === "push" && (facts.refType === "tag" || facts.mergedPullRequest !== undefined || facts.mergeGroup)) return [];
    return agents.flatMap((agent): Finding[] => {
      const branches = agent.declared ? policy.agents[agent.key]?.branches : undefined;
      if (branches === undefined || matchesAny(facts.headRef, branches, "allow")) return [];
      const allowed = branches.length === 0 ? "its policy allows no branches" : `it may only work on ${listPatterns(branches)}`;
      return [
        {
          ruleId: "branch-scope",
          verdict: "deny",
          asset: { kind: "branch", value: facts.headRef },
          ...agentFields(agent),
          message: `${agentLabel(agent)} worked on branch ${facts.headRef}, but ${allowed}.`,
          remedy: `Move the work to an allowed branch, or have the owner widen agents.${agent.key}.branches.`,
        },
      ];
    });
  },
} satisfies Rule;
