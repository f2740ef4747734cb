import { POLICY_FILE } from "../../policy/schema.js";
import { agentLabel } from "../describe.js";
import type { Rule, RuleContext } from "../rule.js";
import type { AgentActivity, Finding } from "../types.js";

/** NHI governance: an identity without an owner is denied until a maintainer registers it. */
export const unregisteredAgent = {
  id: "unregistered-agent",
  describe: "A known AI assistant that the policy does not declare (it has no owner): deny until a maintainer registers it.",
  evaluate({ agents, policy }: Pick<RuleContext, "agents" | "policy">) {
    return agents
      .filter((agent) => !agent.declared)
      .map((agent): Finding => {
        const seen = agent.evidence[0]?.detail;
        return {
          ruleId: "unregistered-agent",
          verdict: "deny",
          asset: { kind: "agent", value: agent.key },
          agent: agent.key,
          message:
            `${agentLabel(agent)} is not declared in ${POLICY_FILE}` +
            (seen ? ` (seen as ${seen})` : "") +
            "; its activity is denied until a maintainer registers it with an owner.",
          remedy: registrationSnippet(agent, Object.hasOwn(policy.agents, agent.key)),
        };
      });
  },
} satisfies Rule;

/** The YAML a maintainer adds under `agents:` (or, when the key is taken, the catalogue id to add). */
function registrationSnippet(agent: AgentActivity, keyTaken: boolean): string {
  const id = agent.catalogueId ?? agent.key;
  if (keyTaken) return `Add "${id}" to agents.${agent.key}.match.catalogue in ${POLICY_FILE}, or declare it under another name.`;
  return [
    `${agent.key}:`,
    `  owner: "@your-org/your-team"`,
    `  match: { catalogue: [${id}] }`,
    `  paths: { allow: ["src/**"] }`,
  ].join("\n");
}
