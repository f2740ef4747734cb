import { agentFields, agentLabel } from "../describe.js";
import { protectedBy } from "../protected-branch.js";
import type { Rule, RuleContext } from "../rule.js";
import type { Finding, PushFacts } from "../types.js";

/**
 * An incident, not a review: the push has already happened, so the verdict is
 * deny and the shell's response is an incident issue. Every assistant seen in
 * the push counts (pusher, sender, and the pushed commits' authors, committers
 * and trailers, which catch an assistant running under a human's token); the
 * shell passes only the commits new to the repository and leaves out a push
 * that is GitHub merging a pull request (that is judged as a merge).
 */
export const pushToProtectedBranch = {
  id: "push-to-protected-branch",
  describe: "An AI assistant pushes to, force-pushes to, creates or deletes a protected branch (the default branch or `protected_branches`): incident.",
  evaluate({ agents, facts, policy }: Pick<RuleContext, "agents" | "facts" | "policy">) {
    if (facts.kind !== "push" || facts.refType !== "branch" || agents.length === 0) return [];
    const reason = protectedBy(policy, facts.headRef, facts.repository.defaultBranch);
    if (reason === undefined) return [];
    const what = `${verb(facts)} the protected branch ${facts.headRef} (${reason})`;
    return agents.map(
      (agent): Finding => ({
        ruleId: "push-to-protected-branch",
        verdict: "deny",
        asset: { kind: "branch", value: facts.headRef },
        ...agentFields(agent),
        message: `${agentLabel(agent)} ${what}; assistants must go through a reviewed pull request.`,
        remedy:
          `${agent.owner ? `${agent.owner}: review` : "Review"} the pushed commits and revert what was not reviewed; ` +
          "then restrict the assistant's push access with a branch ruleset so it cannot push there again.",
      }),
    );
  },
} satisfies Rule;

function verb(facts: PushFacts): string {
  if (facts.deleted) return "deleted";
  if (facts.created) return "created";
  return facts.forced ? "force-pushed to" : "pushed to";
}
