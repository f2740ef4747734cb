import { CATALOGUE, REVIEW_BOTS } from "./catalogue.js";
import type { Identity } from "./types.js";

const BOT_IDS = new Set([...CATALOGUE, ...REVIEW_BOTS].flatMap((e) => e.ids));
const BOT_LOGINS = new Set([...CATALOGUE, ...REVIEW_BOTS].flatMap((e) => e.logins.map((l) => l.toLowerCase())));

/**
 * True for any account that must never count as a human approver: a GitHub
 * `Bot` account, an `xxx[bot]` login, or an assistant or review bot known to
 * the catalogue (including user-type accounts such as `openhands-agent`).
 * Policy-declared agents are checked separately by the caller.
 */
export function isKnownBot(identity: Identity): boolean {
  if (identity.type === "Bot") return true;
  if (identity.id !== undefined && BOT_IDS.has(identity.id)) return true;
  const login = identity.login?.toLowerCase();
  return login !== undefined && (login.endsWith("[bot]") || BOT_LOGINS.has(login));
}
