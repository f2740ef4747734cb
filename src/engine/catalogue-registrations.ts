import type { Policy } from "../policy/schema.js";
import { canonicalTrailer } from "./agent-matcher.js";
import { CATALOGUE, type CatalogueEntry } from "./catalogue.js";
import { parseNoreplyEmail } from "./identity.js";

/**
 * Catalogue id → the keys of the declared agents that register that
 * assistant. Only the policy decides this, never the change: an agent
 * registers a catalogue entry when its `match.catalogue` names it, or when its
 * `match` lists one of the entry's own identities verbatim — an account id
 * (also as the id of a noreply address), a login, an e-mail, a trailer
 * pattern or an author-name suffix. A pattern that merely matches the same
 * lines (`Co-authored-by: Claude*`) registers nothing: text an assistant
 * writes must never decide which declared agent an account is.
 */
export function catalogueRegistrations(policy: Policy): Map<string, string[]> {
  const registrations = new Map<string, string[]>();
  for (const [key, agent] of Object.entries(policy.agents)) {
    const named = new Set(agent.match.catalogue ?? []);
    const own = identityKeys(agent.match);
    for (const entry of CATALOGUE) {
      if (!named.has(entry.id) && !identityKeys(entry).some((k) => own.includes(k))) continue;
      registrations.set(entry.id, [...(registrations.get(entry.id) ?? []), key]);
    }
  }
  return registrations;
}

type IdentityLists = Partial<Pick<CatalogueEntry, "ids" | "logins" | "emails" | "trailers" | "authorNameSuffixes">>;

/** Every identity a match (or catalogue entry) lists, as comparable keys. */
function identityKeys(lists: IdentityLists): string[] {
  const keys: string[] = [];
  for (const id of lists.ids ?? []) keys.push(`id:${id}`);
  for (const login of lists.logins ?? []) keys.push(`login:${login.toLowerCase()}`);
  for (const email of lists.emails ?? []) {
    keys.push(`email:${email.trim().toLowerCase()}`);
    const noreply = parseNoreplyEmail(email);
    if (noreply?.id !== undefined) keys.push(`id:${noreply.id}`);
  }
  for (const trailer of lists.trailers ?? []) keys.push(`trailer:${canonicalTrailer(trailer).toLowerCase()}`);
  for (const suffix of lists.authorNameSuffixes ?? []) keys.push(`suffix:${suffix.toLowerCase()}`);
  return keys;
}
