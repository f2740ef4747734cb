import type { Policy } from "../policy/schema.js";
import { agentIndex, matchSignature, type ActorMatches } from "./agent-index.js";
import { catalogueRegistrations } from "./catalogue-registrations.js";
import { collectActors } from "./collect-actors.js";
import { compareStrings } from "./compare.js";
import { describeIdentity } from "./identity.js";
import type { Actor, ActorRole, AgentActivity, ChangeFacts, Evidence } from "./types.js";

const ROLE_ORDER: readonly ActorRole[] = [
  "pr_author",
  "merged_by",
  "auto_merge_enabler",
  "workflow_actor",
  "triggering_actor",
  "deployment_creator",
  "sender",
  "pusher",
  "commit_author",
  "committer",
  "co_author",
  "trailer",
  "recorded",
];

const ROLE_LABEL: Record<ActorRole, string> = {
  pr_author: "PR author",
  sender: "event sender",
  pusher: "pusher",
  commit_author: "commit author",
  committer: "committer",
  co_author: "co-author trailer",
  trailer: "commit message line",
  workflow_actor: "workflow run actor",
  triggering_actor: "workflow run triggered by",
  deployment_creator: "deployment creator",
  merged_by: "merged by",
  auto_merge_enabler: "auto-merge enabled by",
  recorded: "on record for this commit as",
};

/**
 * The AI assistants taking part in a change.
 *
 * Every actor is matched against every declared agent and every catalogue
 * entry, and each match adds that agent, with the actor as evidence: an
 * actor may be evidence for several agents, and an agent is never removed
 * because another one matched too (the stricter reading wins). A catalogue
 * match is attributed to the declared agents that register that entry in the
 * policy (see `catalogueRegistrations`), or else reported as an undeclared
 * agent keyed by catalogue id. What an actor's text says (a trailer, a git
 * name or e-mail) therefore adds evidence but can never move an account to
 * another agent, lift its `unregistered-agent` finding or lend it another
 * agent's scope. Evidence is deduplicated (the first commit it appears in is
 * kept) and the result is sorted by key.
 */
export function identifyAgents(policy: Policy, facts: ChangeFacts): AgentActivity[] {
  return identifyActors(policy, collectActors(facts));
}

/**
 * The AI assistants among `actors`, matched exactly as `identifyAgents` does
 * (it delegates here): for events that are not a change, such as a workflow
 * run or a deployment, whose shell lists the actors itself.
 */
export function identifyActors(policy: Policy, actors: readonly Actor[]): AgentActivity[] {
  const index = agentIndex(policy);
  const { declared, catalogue } = index;
  const registrations = catalogueRegistrations(policy);
  // The same identity or line recurs on many commits: match it once.
  const memo = new Map<string, ActorMatches>();
  const matchesOf = (actor: Actor): ActorMatches => {
    const signature = matchSignature(actor);
    let matches = memo.get(signature);
    if (!matches) memo.set(signature, (matches = index.match(actor)));
    return matches;
  };
  const found = new Map<string, { activity: AgentActivity; evidence: Map<string, Evidence> }>();

  const record = (mapKey: string, make: () => AgentActivity, actor: Actor) => {
    let slot = found.get(mapKey);
    if (!slot) found.set(mapKey, (slot = { activity: make(), evidence: new Map() }));
    const { dedupeKey, evidence } = evidenceOf(actor);
    if (!slot.evidence.has(dedupeKey)) slot.evidence.set(dedupeKey, evidence);
  };
  const recordDeclared = (key: string, actor: Actor) =>
    record(`declared:${key}`, () => ({ key, declared: true, name: key, owner: policy.agents[key]?.owner, evidence: [] }), actor);

  for (const actor of actors) {
    const matches = matchesOf(actor);
    for (const i of matches.declared) recordDeclared(declared[i]!.key, actor);
    for (const i of matches.catalogue) {
      const { entry } = catalogue[i]!;
      const registrants = registrations.get(entry.id);
      if (registrants) registrants.forEach((key) => recordDeclared(key, actor));
      else record(`catalogue:${entry.id}`, () => ({ key: entry.id, declared: false, name: entry.name, catalogueId: entry.id, evidence: [] }), actor);
    }
  }

  return [...found.values()]
    .map(({ activity, evidence }) => ({ ...activity, evidence: [...evidence.values()].sort(compareEvidence) }))
    .sort((a, b) => compareStrings(a.key, b.key) || Number(b.declared) - Number(a.declared));
}

function evidenceOf(actor: Actor): { dedupeKey: string; evidence: Evidence } {
  const what = actor.trailer !== undefined ? `"${shorten(actor.trailer)}"` : describeIdentity(actor.identity);
  const where = actor.commit ? ` in ${actor.commit.slice(0, 7)}` : "";
  const label = actor.role === "recorded" && actor.recordedRole ? `${ROLE_LABEL.recorded} ${ROLE_LABEL[actor.recordedRole]}` : ROLE_LABEL[actor.role];
  const evidence: Evidence = { role: actor.role, detail: `${label} ${what}${where}` };
  if (actor.commit) evidence.commit = actor.commit;
  return { dedupeKey: `${actor.role}\u0000${actor.recordedRole ?? ""}\u0000${what}`, evidence };
}

function shorten(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function compareEvidence(a: Evidence, b: Evidence): number {
  return ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || compareStrings(a.detail, b.detail);
}
