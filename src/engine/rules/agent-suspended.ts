import { agentFields, agentLabel } from "../describe.js";
import type { Rule, RuleContext } from "../rule.js";
import type { Finding } from "../types.js";

export const agentSuspended = {
  id: "agent-suspended",
  describe: "A declared AI assistant acts while suspended (its revocation switch is on): deny.",
  evaluate({ agents, policy }: Pick<RuleContext, "agents" | "policy">) {
    return agents
      .filter((agent) => agent.declared && policy.agents[agent.key]?.suspended === true)
      .map(
        (agent): Finding => ({
          ruleId: "agent-suspended",
          verdict: "deny",
          asset: { kind: "agent", value: agent.key },
          ...agentFields(agent),
          message: `${agentLabel(agent)} is suspended, so all of its activity is denied.`,
          remedy: `The owner may lift the suspension by setting agents.${agent.key}.suspended to false.`,
        }),
      );
  },
} satisfies Rule;
