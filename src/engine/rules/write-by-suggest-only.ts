import { agentFields, agentLabel } from "../describe.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * A suggest-only assistant may comment and review; every change it is found
 * in (as PR author, pusher, commit author, committer or co-author) is a write.
 */
export const writeBySuggestOnly = {
  id: "write-by-suggest-only",
  describe: "A declared AI assistant with `access: suggest` commits, pushes or opens a pull request: deny.",
  evaluate({ agents, policy, facts }) {
    // GitHub's own push of a merged pull request: the pull request was judged, the merge is a person's.
    if (facts.kind === "push" && facts.mergedPullRequest !== undefined) return [];
    const action = facts.kind === "pull_request" ? "took part in pull request" : "pushed to";
    const where = facts.kind === "pull_request" ? `#${facts.number}` : facts.headRef;
    return agents.flatMap((agent): Finding[] =>
      agent.declared && policy.agents[agent.key]?.access === "suggest"
        ? [
            {
              ruleId: "write-by-suggest-only",
              verdict: "deny",
              asset: { kind: "agent", value: agent.key },
              ...agentFields(agent),
              message: `${agentLabel(agent)} ${action} ${where}, but it is suggest-only: it may comment and review, never write.`,
              remedy: `Have a person make the change from the agent's suggestions, or have the owner set agents.${agent.key}.access to write.`,
            },
          ]
        : [],
    );
  },
} satisfies Rule;
