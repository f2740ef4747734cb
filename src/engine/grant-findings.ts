import type { Policy } from "../policy/schema.js";
import { agentExpired } from "./rules/agent-expired.js";
import { agentSuspended } from "./rules/agent-suspended.js";
import { unregisteredAgent } from "./rules/unregistered-agent.js";
import type { AgentActivity, Finding } from "./types.js";

/**
 * Whether each agent holds a grant at all, whatever it does: the deny
 * findings of the unregistered-agent, agent-expired and agent-suspended rules
 * (the same rules a pull request is judged by). An agent with such a finding
 * has nothing else to be checked against.
 */
export function grantFindings(policy: Policy, agents: readonly AgentActivity[], now: Date): Finding[] {
  const context = { policy, agents, now };
  return [...unregisteredAgent.evaluate(context), ...agentExpired.evaluate(context), ...agentSuspended.evaluate(context)];
}
