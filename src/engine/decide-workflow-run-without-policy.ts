import { describeIdentity } from "./identity.js";
import { identifyActors } from "./identify-agents.js";
import { isKnownBot } from "./known-bots.js";
import { isKnownNonAssistant } from "./non-assistant-bots.js";
import { triggeringAgents } from "./triggering-agents.js";
import type { Actor, AgentActivity, Decision, EvaluationOptions, Policy } from "./types.js";

/** The roles that start a run; the head commit's author does not. */
const STARTERS: ReadonlySet<Actor["role"]> = new Set(["workflow_actor", "triggering_actor"]);

/**
 * What becomes of a workflow run when the policy cannot be read or does not
 * validate, so no declared agent can be told apart: every assistant the
 * built-in catalogue knows, and every other bot account that started the run
 * (a `Bot` account, a `[bot]` login) except the known non-assistants
 * (Dependabot, Renovate, GitHub Actions), is denied — any of them may be an
 * assistant the missing policy declares. People's runs are allowed:
 * cancelling them on an outage would stop the repository's CI. The decision
 * is `enforce` whatever the unread policy says, and carries no findings (the
 * shell names the reason: `policy-invalid` or `facts-unavailable`).
 * `builtIn` is the built-in policy, which declares no agent.
 */
export function decideWorkflowRunWithoutPolicy(builtIn: Policy, actors: readonly Actor[], options: EvaluationOptions): Decision {
  const catalogue = triggeringAgents(builtIn, actors);
  const bots = new Map<string, AgentActivity>();
  for (const actor of actors) {
    const { identity } = actor;
    if (!STARTERS.has(actor.role) || !isKnownBot(identity) || isKnownNonAssistant(identity)) continue;
    if (identifyActors(builtIn, [actor]).length > 0) continue;
    const key = identity.login ?? `id ${identity.id ?? "unknown"}`;
    const detail = `${actor.role === "workflow_actor" ? "workflow run actor" : "workflow run triggered by"} ${describeIdentity(identity)}, a bot that is not a known non-assistant`;
    const bot = bots.get(key) ?? { key, declared: false, name: key, evidence: [] };
    bot.evidence.push({ role: actor.role, detail });
    bots.set(key, bot);
  }
  const agents = [...catalogue, ...[...bots.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))];
  return {
    verdict: agents.length > 0 ? "deny" : "allow",
    mode: "enforce",
    agentActivity: agents.length > 0,
    agents,
    findings: [],
    stepUps: [],
    evaluatedAt: options.now.toISOString(),
  };
}
