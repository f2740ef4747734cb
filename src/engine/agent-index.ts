import type { Policy } from "../policy/schema.js";
import { actorKeys, matcherForCatalogueEntry, matcherForDeclaredAgent, matchesActorKeys, type ActorKeys, type AgentMatcher } from "./agent-matcher.js";
import { CATALOGUE, type CatalogueEntry } from "./catalogue.js";
import type { Actor } from "./types.js";

/** Which of the index's agents an actor is: positions in `declared` and in `catalogue`. */
export interface ActorMatches {
  declared: readonly number[];
  catalogue: readonly number[];
}

function add<K>(map: Map<K, number[]>, key: K, index: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [index]);
  else if (list.at(-1) !== index) list.push(index);
}

/**
 * Matchers indexed by what they match on, so an actor is tested only against
 * the agents that could be it: by id, login and e-mail (exact), by the literal
 * start of a trailer pattern (the text before its first `*`), and every agent
 * with author-name suffixes. Candidates are then matched in full
 * (`matchesActorKeys`), so the index changes nothing but the work.
 */
class MatcherIndex {
  private readonly byId = new Map<number, number[]>();
  private readonly byLogin = new Map<string, number[]>();
  private readonly byEmail = new Map<string, number[]>();
  /** Literal trailer-pattern prefix length → prefix → matchers. */
  private readonly byTrailerPrefix = new Map<number, Map<string, number[]>>();
  private readonly trailerLengths: number[] = [];
  private readonly anyTrailer: number[] = [];
  private readonly withNameSuffixes: number[] = [];

  constructor(readonly matchers: readonly AgentMatcher[]) {
    matchers.forEach((m, i) => {
      for (const id of m.ids) add(this.byId, id, i);
      for (const login of m.logins) add(this.byLogin, login, i);
      for (const email of m.emails) add(this.byEmail, email, i);
      for (const pattern of m.trailers) {
        const star = pattern.indexOf("*");
        const prefix = star === -1 ? pattern : pattern.slice(0, star);
        if (prefix.length === 0) {
          if (this.anyTrailer.at(-1) !== i) this.anyTrailer.push(i);
          continue;
        }
        let byPrefix = this.byTrailerPrefix.get(prefix.length);
        if (!byPrefix) this.byTrailerPrefix.set(prefix.length, (byPrefix = new Map()));
        add(byPrefix, prefix, i);
      }
      if (m.authorNameSuffixes.length > 0) this.withNameSuffixes.push(i);
    });
    this.trailerLengths.push(...[...this.byTrailerPrefix.keys()].sort((a, b) => a - b));
  }

  /** Positions of the matchers `keys` matches, ascending. */
  match(keys: ActorKeys): number[] {
    const candidates = new Set<number>();
    const take = (list: readonly number[] | undefined) => list?.forEach((i) => candidates.add(i));
    if (keys.id !== undefined) take(this.byId.get(keys.id));
    if (keys.login) take(this.byLogin.get(keys.login));
    if (keys.email !== undefined) take(this.byEmail.get(keys.email));
    if (keys.noreply?.id !== undefined) take(this.byId.get(keys.noreply.id));
    if (keys.noreply?.login) take(this.byLogin.get(keys.noreply.login));
    if (keys.name !== undefined) take(this.withNameSuffixes);
    if (keys.trailer !== undefined) {
      for (const length of this.trailerLengths) {
        if (length > keys.trailer.length) break;
        take(this.byTrailerPrefix.get(length)!.get(keys.trailer.slice(0, length)));
      }
      take(this.anyTrailer);
    }
    return [...candidates].sort((a, b) => a - b).filter((i) => matchesActorKeys(this.matchers[i]!, keys));
  }
}

/** A policy's agents and the catalogue, compiled for identification once per policy. */
export interface AgentIndex {
  declared: readonly { key: string; matcher: AgentMatcher }[];
  catalogue: readonly { entry: CatalogueEntry; matcher: AgentMatcher }[];
  /** Which agents the actor is (memoised per call site through `identify`). */
  match(actor: Actor): ActorMatches;
}

const catalogueIndex = new MatcherIndex(CATALOGUE.map(matcherForCatalogueEntry));
const indexes = new WeakMap<Policy["agents"], AgentIndex>();

export function agentIndex(policy: Policy): AgentIndex {
  let index = indexes.get(policy.agents);
  if (!index) {
    const declared = Object.entries(policy.agents).map(([key, agent]) => ({ key, matcher: matcherForDeclaredAgent(agent) }));
    const declaredIndex = new MatcherIndex(declared.map((d) => d.matcher));
    index = {
      declared,
      catalogue: CATALOGUE.map((entry, i) => ({ entry, matcher: catalogueIndex.matchers[i]! })),
      match: (actor) => {
        const keys = actorKeys(actor);
        return { declared: declaredIndex.match(keys), catalogue: catalogueIndex.match(keys) };
      },
    };
    indexes.set(policy.agents, index);
  }
  return index;
}

/** The part of an actor that matching reads: actors that agree on it are the same agents. */
export function matchSignature(actor: Actor): string {
  const { identity } = actor;
  return `${identity.id ?? ""}\u0000${identity.login ?? ""}\u0000${identity.email ?? ""}\u0000${identity.name ?? ""}\u0000${actor.trailer ?? "\u0001"}`;
}
