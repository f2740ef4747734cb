import { agentFields, agentLabel } from "../describe.js";
import { protectedBy } from "../protected-branch.js";
import type { Rule, RuleContext } from "../rule.js";
import type { AgentActivity, Finding, PushFacts } from "../types.js";

/**
 * An incident, not a review: the push has already happened, so the verdict is
 * deny and the shell's response is an incident issue. Every assistant seen in
 * the push counts: the pusher and the sender, and the authors, committers and
 * trailers of every commit the push brings onto the branch, which catch an
 * assistant running under a human's token and commits that reached the branch
 * by way of another one. GitHub merging a pull request (`mergedPullRequest`)
 * is judged as a merge instead.
 */
export const pushToProtectedBranch = {
  id: "push-to-protected-branch",
  describe:
    "An AI assistant pushes to, force-pushes to, creates or deletes a protected branch (the default branch or `protected_branches`), or its commits reach one other than by GitHub merging a pull request: incident.",
  evaluate({ agents, facts, policy }: Pick<RuleContext, "agents" | "facts" | "policy">) {
    if (facts.kind !== "push" || facts.refType !== "branch" || agents.length === 0 || facts.mergedPullRequest !== undefined || facts.mergeGroup) return [];
    const reason = protectedBy(policy, facts.headRef, facts.repository.defaultBranch);
    if (reason === undefined) return [];
    const branch = `the protected branch ${facts.headRef} (${reason})`;
    return agents.map(
      (agent): Finding => ({
        ruleId: "push-to-protected-branch",
        verdict: "deny",
        asset: { kind: "branch", value: facts.headRef },
        ...agentFields(agent),
        message: pushedItself(agent)
          ? `${agentLabel(agent)} ${verb(facts)} ${branch}; assistants must go through a reviewed pull request.`
          : `Commits by ${agentLabel(agent)} were pushed to ${branch} by another account, not merged from a reviewed pull request.`,
        remedy:
          `${agent.owner ? `${agent.owner}: review` : "Review"} the pushed commits and revert what was not reviewed; ` +
          (pushedItself(agent)
            ? "then restrict the assistant's push access with a branch ruleset so it cannot push there again."
            : "then bring the assistant's work through a pull request, and require one for this branch with a branch ruleset."),
      }),
    );
  },
} satisfies Rule;

/** The assistant is the pusher or the sender, not only in the pushed commits. */
function pushedItself(agent: AgentActivity): boolean {
  return agent.evidence.some((e) => e.role === "pusher" || e.role === "sender");
}

function verb(facts: PushFacts): string {
  if (facts.deleted) return "deleted";
  if (facts.created) return "created";
  return facts.forced ? "force-pushed to" : "pushed to";
}
