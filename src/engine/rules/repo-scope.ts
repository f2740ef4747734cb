import { agentFields, agentLabel, listPatterns } from "../describe.js";
import { firstMatch, matchesAny } from "../glob.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * Repository names are compared without case, as GitHub resolves them: both
 * lists are read on the case-insensitive side, so `Docs` cannot slip past a
 * scope written `docs`. An omitted `repos` or `repos.allow` means every
 * repository; an empty `repos.allow` means none.
 */
export const repoScope = {
  id: "repo-scope",
  describe: "A declared AI assistant acts in a repository outside its `repos` (set in the org baseline): deny.",
  evaluate({ agents, policy, facts }) {
    const name = facts.repository.name;
    return agents.flatMap((agent): Finding[] => {
      const repos = agent.declared ? policy.agents[agent.key]?.repos : undefined;
      if (!repos) return [];
      const denied = firstMatch(name, repos.deny, "deny");
      const allowed = repos.allow === undefined || matchesAny(name, repos.allow, "deny");
      if (allowed && denied === undefined) return [];
      const why =
        denied !== undefined
          ? `its repositories exclude ${denied}`
          : repos.allow!.length === 0
            ? "it may act in no repository here"
            : `it may only act in ${listPatterns(repos.allow!)}`;
      return [
        {
          ruleId: "repo-scope",
          verdict: "deny",
          asset: { kind: "repository", value: name },
          ...agentFields(agent),
          message: `${agentLabel(agent)} acted in repository ${name}, but ${why}.`,
          remedy: `Do this work in one of the agent's repositories, or have an org admin widen agents.${agent.key}.repos in the org baseline (.agent-policy.yml in the .github repository).`,
        },
      ];
    });
  },
} satisfies Rule;
