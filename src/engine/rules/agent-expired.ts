import { agentFields, agentLabel } from "../describe.js";
import { isExpired } from "../expiry.js";
import type { Rule, RuleContext } from "../rule.js";
import type { Finding } from "../types.js";

export const agentExpired = {
  id: "agent-expired",
  describe: "A declared AI assistant acts after its grant's `expires` (a date is valid through that day, UTC): deny.",
  evaluate({ agents, policy, now }: Pick<RuleContext, "agents" | "policy" | "now">) {
    return agents.flatMap((agent): Finding[] => {
      const expires = agent.declared ? policy.agents[agent.key]?.expires : undefined;
      if (expires === undefined || !isExpired(expires, now)) return [];
      return [
        {
          ruleId: "agent-expired",
          verdict: "deny",
          asset: { kind: "agent", value: agent.key },
          ...agentFields(agent),
          message: `${agentLabel(agent)} acted after its grant expired (expires: ${expires}).`,
          remedy: `If the grant should continue, have the owner extend agents.${agent.key}.expires.`,
        },
      ];
    });
  },
} satisfies Rule;
