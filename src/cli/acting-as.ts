import { findCatalogueEntry } from "../engine/catalogue.js";
import { identifyActors } from "../engine/identify-agents.js";
import type { Actor, ActorRole, Identity } from "../engine/types.js";
import type { Policy } from "../policy/schema.js";

/** Who `check` pretends wrote the change: a GitHub account, or an agent by its policy key or catalogue id. */
export type ActingAs = { actor: string; actorId?: number } | { agent: string };

/**
 * The actor of the change as the app would see it (the pull request's author,
 * or the pusher). For `--agent`, an identity the agent is recognised by: an
 * account id (with its login), else a login, an e-mail, an author-name suffix
 * or a trailer line, from the policy's `match` or the catalogue — checked by
 * identifying it exactly as the engine will. Returns an error message when
 * the agent is unknown or cannot be told apart by any identity.
 */
export function actingActors(policy: Policy, acting: ActingAs, role: ActorRole): Actor[] | { error: string } {
  if ("actor" in acting) {
    const identity: Identity = { login: acting.actor, ...(acting.actorId !== undefined ? { id: acting.actorId } : {}), ...(/\[bot\]$/i.test(acting.actor) ? { type: "Bot" } : {}) };
    return [{ role, identity }];
  }
  const key = acting.agent;
  const declared = Object.hasOwn(policy.agents, key) ? policy.agents[key] : undefined;
  const parts = declared ? [declared.match, ...(declared.match.catalogue ?? []).map(findCatalogueEntry)] : [findCatalogueEntry(key)];
  if (!declared && !parts[0]) {
    const known = Object.keys(policy.agents);
    return { error: `unknown agent '${key}': not declared in the policy${known.length ? ` (agents: ${known.join(", ")})` : ""} and not a catalogue id` };
  }
  for (const actor of parts.flatMap((part) => (part ? candidates(part, role) : []))) {
    const agents = identifyActors(policy, [actor]);
    if (agents.some((a) => a.key === key)) return [actor];
  }
  return { error: `agent '${key}' has no identity the engine recognises it by (match: ids, logins, emails or trailers)` };
}

interface IdentityParts {
  ids?: readonly number[];
  logins?: readonly string[];
  emails?: readonly string[];
  trailers?: readonly string[];
  authorNameSuffixes?: readonly string[];
}

/** Identities to try, strongest first. A trailer pattern becomes a line by reading each `*` as nothing. */
function candidates(part: IdentityParts, role: ActorRole): Actor[] {
  const out: Actor[] = [];
  const login = part.logins?.[0];
  for (const id of part.ids ?? []) out.push({ role, identity: { id, ...(login ? { login } : {}) } });
  for (const l of part.logins ?? []) out.push({ role, identity: { login: l } });
  for (const email of part.emails ?? []) out.push({ role, identity: { email } });
  for (const suffix of part.authorNameSuffixes ?? []) out.push({ role, identity: { name: `agent${suffix}` } });
  for (const pattern of part.trailers ?? []) out.push({ role: "trailer", identity: {}, trailer: pattern.replace(/\*/g, "") });
  return out;
}
