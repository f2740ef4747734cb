import type { Identity } from "./types.js";

/**
 * Bots known not to be AI assistants: Dependabot, Renovate and GitHub
 * Actions' own token. Matched by login: a `[bot]` login is a GitHub App's
 * slug, which no user account can take, and it is the same on every GitHub
 * host (the numeric ids differ on GitHub Enterprise Server).
 */
export const KNOWN_NON_ASSISTANT_BOTS: readonly string[] = ["dependabot[bot]", "renovate[bot]", "github-actions[bot]"];

export function isKnownNonAssistant(identity: Identity): boolean {
  const login = identity.login?.toLowerCase();
  return login !== undefined && KNOWN_NON_ASSISTANT_BOTS.includes(login);
}
