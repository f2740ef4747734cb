import type { Identity } from "./types.js";

const NOREPLY = /^(?:(\d+)\+)?([^@\s]+)@users\.noreply\.github\.com$/i;

/**
 * What a GitHub noreply address says about its account: `ID+login@users.noreply.github.com`
 * carries the numeric id (authoritative), the older `login@users.noreply.github.com` only the login.
 */
export function parseNoreplyEmail(email: string): { id?: number; login?: string } | undefined {
  const m = NOREPLY.exec(email.trim());
  if (!m) return undefined;
  const login = m[2];
  if (m[1] !== undefined) {
    const id = Number(m[1]);
    return Number.isSafeInteger(id) ? { id, login } : { login };
  }
  return { login };
}

/** `Copilot (id 198982749)`, `Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>`. */
export function describeIdentity(identity: Identity): string {
  const parts: string[] = [];
  if (identity.login) parts.push(identity.login + (identity.id !== undefined ? ` (id ${identity.id})` : ""));
  else if (identity.id !== undefined) parts.push(`id ${identity.id}`);
  const person = [identity.name, identity.email ? `<${identity.email}>` : undefined].filter(Boolean).join(" ");
  if (person) parts.push(parts.length > 0 ? `as ${person}` : person);
  return parts.length > 0 ? parts.join(" ") : "an unnamed identity";
}

/** Parses a trailer value `Name <email>` (the e-mail part is optional). */
export function parseNameAndEmail(value: string): Identity {
  const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value.trim());
  if (!m) return value.trim() ? { name: value.trim() } : {};
  const identity: Identity = {};
  if (m[1]) identity.name = m[1];
  if (m[2]) identity.email = m[2].trim();
  return identity;
}
