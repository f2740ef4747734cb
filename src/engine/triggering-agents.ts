import type { Policy } from "../policy/schema.js";
import { identifyActors } from "./identify-agents.js";
import type { Actor, ActorRole, AgentActivity } from "./types.js";

/** Roles that make an event an assistant's own doing: it started the run or the deployment. */
const TRIGGER_ROLES: ReadonlySet<ActorRole> = new Set(["workflow_actor", "triggering_actor", "deployment_creator", "sender"]);

/**
 * The assistants that triggered a workflow run or deployment. Only an actor in
 * a trigger role makes one an agent's; other actors (the head commit's author)
 * add evidence to an agent found that way but never make one by themselves —
 * otherwise every push of a merged agent commit by a human would count as the
 * agent's run.
 */
export function triggeringAgents(policy: Policy, actors: readonly Actor[]): AgentActivity[] {
  return identifyActors(policy, actors).filter((agent) => agent.evidence.some((e) => TRIGGER_ROLES.has(e.role)));
}
