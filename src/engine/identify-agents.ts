import type { Policy } from "../policy/schema.js";
import { matcherForCatalogueEntry, matcherForDeclaredAgent, matchesActor } from "./agent-matcher.js";
import { CATALOGUE } from "./catalogue.js";
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
 * Each actor is matched against the policy's declared agents first. An actor
 * matched by a declared agent is that agent's evidence only, never an
 * unregistered agent's; and every catalogue assistant such an actor also
 * matches is thereby claimed by the declared agent, so the same assistant seen
 * elsewhere in the change (e.g. its noreply commit e-mail) is attributed to the
 * declared agent too. Remaining actors are matched against the catalogue and
 * yield undeclared agents keyed by catalogue id. Evidence is deduplicated (the
 * first commit it appears in is kept) and the result is sorted by key.
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
  const declared = Object.entries(policy.agents).map(([key, agent]) => ({ key, agent, matcher: matcherForDeclaredAgent(agent) }));
  const catalogue = CATALOGUE.map((entry) => ({ entry, matcher: matcherForCatalogueEntry(entry) }));
  const found = new Map<string, { activity: AgentActivity; evidence: Map<string, Evidence> }>();

  const record = (mapKey: string, make: () => AgentActivity, actor: Actor) => {
    let slot = found.get(mapKey);
    if (!slot) found.set(mapKey, (slot = { activity: make(), evidence: new Map() }));
    const { dedupeKey, evidence } = evidenceOf(actor);
    if (!slot.evidence.has(dedupeKey)) slot.evidence.set(dedupeKey, evidence);
  };
  const recordDeclared = (key: string, actor: Actor) =>
    record(`declared:${key}`, () => ({ key, declared: true, name: key, owner: policy.agents[key]?.owner, evidence: [] }), actor);

  const claims = new Map<string, Set<string>>();
  const unmatched: Actor[] = [];
  for (const actor of actors) {
    const hits = declared.filter((d) => matchesActor(d.matcher, actor));
    if (hits.length === 0) {
      unmatched.push(actor);
      continue;
    }
    for (const d of hits) recordDeclared(d.key, actor);
    for (const c of catalogue) {
      if (!matchesActor(c.matcher, actor)) continue;
      const keys = claims.get(c.entry.id) ?? new Set<string>();
      hits.forEach((d) => keys.add(d.key));
      claims.set(c.entry.id, keys);
    }
  }
  for (const actor of unmatched) {
    for (const { entry, matcher } of catalogue) {
      if (!matchesActor(matcher, actor)) continue;
      const claimedBy = claims.get(entry.id);
      if (claimedBy) {
        claimedBy.forEach((key) => recordDeclared(key, actor));
      } else {
        record(`catalogue:${entry.id}`, () => ({ key: entry.id, declared: false, name: entry.name, catalogueId: entry.id, evidence: [] }), actor);
      }
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
