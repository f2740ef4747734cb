import type { AgentPolicy } from "../policy/schema.js";
import { findCatalogueEntry, type CatalogueEntry } from "./catalogue.js";
import { parseNoreplyEmail } from "./identity.js";
import type { Actor } from "./types.js";
import { matchesWildcard } from "./wildcard.js";

/** The identities one agent (declared or catalogue) is recognised by, normalised for lookup. */
export interface AgentMatcher {
  ids: ReadonlySet<number>;
  /** Lower-cased. */
  logins: ReadonlySet<string>;
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

function buildMatcher(parts: readonly MatcherParts[]): AgentMatcher {
  const lower = (list: readonly string[] | undefined) => (list ?? []).map((s) => s.toLowerCase());
  return {
    ids: new Set(parts.flatMap((p) => p.ids ?? [])),
    logins: new Set(parts.flatMap((p) => lower(p.logins))),
    emails: new Set(parts.flatMap((p) => lower(p.emails))),
    trailers: parts.flatMap((p) => p.trailers ?? []),
    authorNameSuffixes: parts.flatMap((p) => lower(p.authorNameSuffixes)),
  };
}

export function matcherForCatalogueEntry(entry: CatalogueEntry): AgentMatcher {
  return buildMatcher([entry]);
}

/**
 * A declared agent's own identities plus those of every catalogue entry named
 * in `match.catalogue`. An unknown catalogue id contributes nothing (the policy
 * validator reports it; the engine must not guess).
 */
export function matcherForDeclaredAgent(agent: AgentPolicy): AgentMatcher {
  const entries = (agent.match.catalogue ?? []).map(findCatalogueEntry).filter((e) => e !== undefined);
  return buildMatcher([agent.match, ...entries]);
}

/**
 * True when the actor is this agent.
 *
 * The numeric id is authoritative: a login matches only when the actor's id is
 * unknown or the matcher lists no ids, so the Copilot reviewer (login `Copilot`,
 * id 175728472) never passes for the coding agent. A noreply e-mail counts as
 * the id (or login) it encodes. Trailer patterns match the whole raw line.
 */
export function matchesActor(matcher: AgentMatcher, actor: Actor): boolean {
  const { identity } = actor;
  if (identity.id !== undefined && matcher.ids.has(identity.id)) return true;
  if (identity.login && matcher.logins.has(identity.login.toLowerCase())) {
    if (identity.id === undefined || matcher.ids.size === 0) return true;
  }
  if (identity.email) {
    const email = identity.email.trim().toLowerCase();
    if (matcher.emails.has(email)) return true;
    const noreply = parseNoreplyEmail(email);
    if (noreply?.id !== undefined && matcher.ids.has(noreply.id)) return true;
    if (noreply?.login && matcher.logins.has(noreply.login)) {
      if (noreply.id === undefined || matcher.ids.size === 0) return true;
    }
  }
  if (identity.name) {
    const name = identity.name.toLowerCase();
    if (matcher.authorNameSuffixes.some((suffix) => name.endsWith(suffix))) return true;
  }
  if (actor.trailer !== undefined) {
    const line = actor.trailer;
    if (matcher.trailers.some((pattern) => matchesWildcard(pattern, line))) return true;
  }
  return false;
}
