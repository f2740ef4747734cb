import type { AgentPolicy } from "../policy/schema.js";
import { CATALOGUE, findCatalogueEntry, type CatalogueEntry } from "./catalogue.js";
import { parseNoreplyEmail } from "./identity.js";
import type { Actor } from "./types.js";
import { matchesWildcard } from "./wildcard.js";

/** The identities one agent (declared or catalogue) is recognised by, normalised for lookup. */
export interface AgentMatcher {
  ids: ReadonlySet<number>;
  /** Lower-cased. */
  logins: ReadonlySet<string>;
  /**
   * Lower-cased login → the ids it is pinned to: those of every part (the
   * policy's own `match`, one catalogue entry) that lists the login next to
   * ids, and those the catalogue knows for it. A login absent here matches
   * whatever the actor's id.
   */
  loginIds: ReadonlyMap<string, ReadonlySet<number>>;
  /** Lower-cased. */
  emails: ReadonlySet<string>;
  trailers: readonly string[];
  /** Lower-cased. */
  authorNameSuffixes: readonly string[];
}

interface MatcherParts {
  ids?: readonly number[];
  logins?: readonly string[];
  emails?: readonly string[];
  trailers?: readonly string[];
  authorNameSuffixes?: readonly string[];
}

/** Lower-cased login → ids, from every part that lists both. */
function loginPins(parts: readonly MatcherParts[]): Map<string, Set<number>> {
  const pins = new Map<string, Set<number>>();
  for (const part of parts) {
    if (!part.ids || part.ids.length === 0) continue;
    for (const login of part.logins ?? []) {
      const key = login.toLowerCase();
      const ids = pins.get(key) ?? new Set<number>();
      part.ids.forEach((id) => ids.add(id));
      pins.set(key, ids);
    }
  }
  return pins;
}

function buildMatcher(parts: readonly MatcherParts[]): AgentMatcher {
  const lower = (list: readonly string[] | undefined) => (list ?? []).map((s) => s.toLowerCase());
  return {
    // A noreply address names its account: the id it carries matches as the id itself.
    ids: new Set(parts.flatMap((p) => [...(p.ids ?? []), ...(p.emails ?? []).flatMap((e) => parseNoreplyEmail(e)?.id ?? [])])),
    logins: new Set(parts.flatMap((p) => lower(p.logins))),
    loginIds: loginPins([...parts, ...CATALOGUE]),
    emails: new Set(parts.flatMap((p) => lower(p.emails))),
    trailers: parts.flatMap((p) => (p.trailers ?? []).map((t) => canonicalTrailer(t).toLowerCase())),
    authorNameSuffixes: parts.flatMap((p) => lower(p.authorNameSuffixes)),
  };
}

// Matchers are built once per catalogue entry and per declared agent's `match` (the policy's objects are
// the same for every event judged under it: the parsed policy is cached by blob SHA; a grant or a baseline
// merge makes a new agent object but keeps its `match`).
const catalogueMatchers = new WeakMap<CatalogueEntry, AgentMatcher>();
const declaredMatchers = new WeakMap<AgentPolicy["match"], AgentMatcher>();

export function matcherForCatalogueEntry(entry: CatalogueEntry): AgentMatcher {
  let matcher = catalogueMatchers.get(entry);
  if (!matcher) catalogueMatchers.set(entry, (matcher = buildMatcher([entry])));
  return matcher;
}

/**
 * A declared agent's own identities plus those of every catalogue entry named
 * in `match.catalogue`. An unknown catalogue id contributes nothing (the policy
 * validator reports it; the engine must not guess).
 */
export function matcherForDeclaredAgent(agent: AgentPolicy): AgentMatcher {
  let matcher = declaredMatchers.get(agent.match);
  if (!matcher) {
    const entries = (agent.match.catalogue ?? []).map(findCatalogueEntry).filter((e) => e !== undefined);
    declaredMatchers.set(agent.match, (matcher = buildMatcher([agent.match, ...entries])));
  }
  return matcher;
}

/** What matching reads of an actor, normalised once per actor instead of once per agent. */
export interface ActorKeys {
  id?: number;
  /** Lower-cased. */
  login?: string;
  /** Trimmed, lower-cased. */
  email?: string;
  noreply?: { id?: number; login?: string };
  /** Trimmed, lower-cased. */
  name?: string;
  /** Canonical (see `canonicalTrailer`), lower-cased. */
  trailer?: string;
}

export function actorKeys(actor: Actor): ActorKeys {
  const { identity } = actor;
  const keys: ActorKeys = {};
  if (identity.id !== undefined) keys.id = identity.id;
  if (identity.login) keys.login = identity.login.toLowerCase();
  if (identity.email) {
    keys.email = identity.email.trim().toLowerCase();
    const noreply = parseNoreplyEmail(keys.email);
    if (noreply) keys.noreply = noreply;
  }
  if (identity.name) keys.name = identity.name.trim().toLowerCase();
  if (actor.trailer !== undefined) keys.trailer = canonicalTrailer(actor.trailer).toLowerCase();
  return keys;
}

/**
 * True when the actor is this agent.
 *
 * The numeric id is authoritative: a login matches only when the actor's id is
 * unknown or the login is not pinned to other ids (see `loginIds`), so the
 * Copilot reviewer (login `Copilot`, id 175728472) never passes for the coding
 * agent, while the ids of a catalogue entry named in `match.catalogue` do not
 * disable the policy's own id-less logins. A noreply e-mail counts as the id
 * (or login) it encodes. Trailer patterns match the whole line, with the
 * separator of a `Key: value` trailer read as git reads it (`Key:value`,
 * `Key : value`).
 */
export function matchesActor(matcher: AgentMatcher, actor: Actor): boolean {
  return matchesActorKeys(matcher, actorKeys(actor));
}

/** `matchesActor` on an actor's keys, computed once for every agent it is matched against. */
export function matchesActorKeys(matcher: AgentMatcher, keys: ActorKeys): boolean {
  if (keys.id !== undefined && matcher.ids.has(keys.id)) return true;
  if (keys.login && loginMatches(matcher, keys.login, keys.id)) return true;
  if (keys.email !== undefined) {
    if (matcher.emails.has(keys.email)) return true;
    const noreply = keys.noreply;
    if (noreply?.id !== undefined && matcher.ids.has(noreply.id)) return true;
    if (noreply?.login && loginMatches(matcher, noreply.login, noreply.id)) return true;
  }
  if (keys.name !== undefined) {
    const name = keys.name;
    if (matcher.authorNameSuffixes.some((suffix) => name.endsWith(suffix))) return true;
  }
  if (keys.trailer !== undefined) {
    const line = keys.trailer;
    if (matcher.trailers.some((pattern) => matchesWildcard(pattern, line))) return true;
  }
  return false;
}

/** `login` (lower-cased) is one of the matcher's, and `id` is unknown or one the login is pinned to, if any. */
function loginMatches(matcher: AgentMatcher, login: string, id: number | undefined): boolean {
  if (!matcher.logins.has(login)) return false;
  const pinned = matcher.loginIds.get(login);
  return id === undefined || pinned === undefined || pinned.has(id);
}

/**
 * A `Key: value` line (or pattern) with its separator written one way: git
 * reads `Key:value` and `Key :  value` as the same trailer, so neither the
 * catalogue nor a policy pattern may depend on the spacing. Anything else is
 * returned unchanged. Linear: the key is one character class anchored at the start.
 */
export function canonicalTrailer(line: string): string {
  return line.replace(/^([A-Za-z0-9-]+)[ \t]*:[ \t]*/, "$1: ");
}
