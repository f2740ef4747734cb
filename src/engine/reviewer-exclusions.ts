import type { Policy } from "../policy/schema.js";
import { matcherForCatalogueEntry, matcherForDeclaredAgent, matchesActor } from "./agent-matcher.js";
import type { IgnoreReason, ParticipantFacts } from "./approval-types.js";
import { CATALOGUE } from "./catalogue.js";
import { collectActors } from "./collect-actors.js";
import { parseNoreplyEmail } from "./identity.js";
import { isKnownBot } from "./known-bots.js";
import type { ActorRole, ChangeFacts, Identity } from "./types.js";

/** The people who took part in the change, most significant role first (it names the reason). */
const PARTICIPANT_ROLES: readonly [ActorRole, IgnoreReason][] = [
  ["pr_author", "PR author"],
  ["commit_author", "commit author"],
  ["committer", "committer"],
  ["co_author", "co-author"],
];

/**
 * Why an identity can never approve this change, or undefined when it may.
 *
 * Excluded: any identity a declared agent or a catalogue assistant matches;
 * any bot (see `isKnownBot`); the PR author; every commit author, committer
 * and `Co-authored-by` identity; and the accounts the shell resolved as
 * taking part (`resolved`: the pushers of the commits, and the accounts
 * behind e-mail-only identities). The event sender is deliberately not a
 * participant (on a review event it is the reviewer). When GitHub did not list
 * every commit, nobody can be shown not to be a commit author, so nobody may
 * approve (fail closed).
 */
export function reviewerExclusions(
  policy: Policy,
  facts: Pick<ChangeFacts, "actors" | "commits" | "commitsComplete">,
  resolved: ParticipantFacts["accounts"] = [],
): (identity: Identity) => IgnoreReason | undefined {
  const nonHuman = agentOrBotExclusion(policy);
  const participants = participantKeys(facts);
  const others = resolved.map(({ role, identity }) => ({ role, keys: new Set(accountKeys(identity)) }));
  return (identity) => {
    const reason = nonHuman(identity);
    if (reason) return reason;
    const keys = identityKeys(identity);
    for (const [role, reason] of PARTICIPANT_ROLES) {
      if (keys.some((k) => participants.get(role)?.has(k))) return reason;
    }
    const other = others.find((o) => accountKeys(identity).some((k) => o.keys.has(k)));
    if (other) return other.role;
    return facts.commitsComplete ? undefined : "commit authors unverifiable";
  };
}

/**
 * The part of `reviewerExclusions` that needs no change: `agent` for any
 * identity a declared agent or a catalogue assistant matches, `bot` for any
 * bot (see `isKnownBot`). Used alone where there is no change to take part in
 * (a deployment's step-up).
 */
export function agentOrBotExclusion(policy: Policy): (identity: Identity) => "agent" | "bot" | undefined {
  const agentMatchers = [...Object.values(policy.agents).map(matcherForDeclaredAgent), ...CATALOGUE.map(matcherForCatalogueEntry)];
  return (identity) => {
    if (agentMatchers.some((m) => matchesActor(m, { role: "sender", identity }))) return "agent";
    return isKnownBot(identity) ? "bot" : undefined;
  };
}

/**
 * Keys naming each participant, per role. Matching on any of id, login or
 * e-mail over-excludes rather than under-excludes. A plain trailer e-mail can
 * only match a reviewer whose e-mail the shell resolved; a noreply e-mail
 * names its account directly.
 */
function participantKeys(facts: Pick<ChangeFacts, "actors" | "commits">): Map<ActorRole, Set<string>> {
  const byRole = new Map<ActorRole, Set<string>>();
  for (const { role, identity } of collectActors(facts)) {
    if (!PARTICIPANT_ROLES.some(([r]) => r === role)) continue;
    const set = byRole.get(role) ?? new Set<string>();
    for (const key of identityKeys(identity)) set.add(key);
    byRole.set(role, set);
  }
  return byRole;
}

/** `id:N`, `login:x` (lower-case) for the account itself. */
function accountKeys(identity: Identity): string[] {
  const keys: string[] = [];
  if (identity.id !== undefined) keys.push(`id:${identity.id}`);
  if (identity.login) keys.push(`login:${identity.login.toLowerCase()}`);
  return keys;
}

/** The account keys plus what its e-mail says: the address itself and, for a noreply address, the account it encodes. */
function identityKeys(identity: Identity): string[] {
  const keys = accountKeys(identity);
  const email = identity.email?.trim().toLowerCase();
  if (email) {
    keys.push(`email:${email}`);
    const noreply = parseNoreplyEmail(email);
    if (noreply) for (const key of accountKeys(noreply)) keys.push(key);
  }
  return keys;
}
