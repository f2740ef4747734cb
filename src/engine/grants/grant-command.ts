import { checkGlob } from "../glob.js";
import { parseDuration } from "./duration.js";

/** The kinds of scope a grant can widen, as written in a command (`paths:infra/**`). */
export const SCOPE_KINDS = ["paths", "branches", "workflows", "environments"] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** What a grant widens, per kind; each list as written, deduplicated. */
export type GrantScope = Record<ScopeKind, string[]>;

export type GrantCommand =
  | { kind: "grant"; agent: string; scope: GrantScope; duration: string; durationMs: number; reason: string }
  | { kind: "revoke"; agent: string }
  /** Looks like a command but is not one the app accepts; `problem` says why (never quotes the comment). */
  | { kind: "invalid"; problem: string };

const PREFIX = "/agent-policy";
const MAX_LINE = 2000;
const MAX_ITEMS = 20;
const MAX_REASON = 300;
const AGENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
/** The command words and scope items: printable ASCII only, so a look-alike letter cannot pass for another. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export const GRANT_SYNTAX = "/agent-policy grant <agent> paths:<glob>,branches:<glob>,workflows:<name>,environments:<name> for <30m|4h|2d> because <reason>";
export const REVOKE_SYNTAX = "/agent-policy revoke <agent>";

/**
 * Reads a comment as a command. Only the first line counts, and it must start
 * with `/agent-policy`; any other comment is not a command (undefined), so
 * ordinary discussion costs nothing. A first line that only looks like the
 * prefix once Unicode look-alikes and invisible characters are folded away
 * (`/аgent-policy` with a Cyrillic а, full-width letters, a zero-width space)
 * is `invalid`, never read as the command it imitates.
 *
 * Grammar (words separated by spaces):
 *   /agent-policy grant AGENT ITEM[,ITEM…] [ITEM…] for DURATION because REASON
 *   /agent-policy revoke AGENT
 * An ITEM is `kind:value`; a value without a `kind:` continues the previous
 * kind (`paths:infra/**,deploy/**`). Globs are checked as the policy's are.
 */
export function parseGrantCommand(body: string): GrantCommand | undefined {
  const line = firstLine(body);
  if (!line.startsWith(`${PREFIX} `) && line !== PREFIX) {
    return looksLikeCommand(line) ? invalid("the command must be written in plain ASCII: a look-alike or invisible character was found in it") : undefined;
  }
  if (line.length > MAX_LINE) return invalid(`the command is longer than ${MAX_LINE} characters`);
  const words = line.slice(PREFIX.length).trim().split(/ +/);
  const verb = words[0];
  if (verb === "revoke") return parseRevoke(words.slice(1));
  if (verb === "grant") return parseGrant(words.slice(1));
  return invalid(`the command must be \`${GRANT_SYNTAX}\` or \`${REVOKE_SYNTAX}\``);
}

function firstLine(body: string): string {
  const trimmed = body.replace(/^\s+/, "");
  const end = trimmed.search(/[\r\n]/);
  return (end === -1 ? trimmed : trimmed.slice(0, end)).trimEnd();
}

/** True when the line, with look-alikes folded (NFKC, confusable letters, invisible characters dropped), starts with the prefix. */
function looksLikeCommand(line: string): boolean {
  if (/^[\x20-\x7e]*$/.test(line.slice(0, 64))) return false;
  const folded = line
    .slice(0, 64)
    .normalize("NFKC")
    .replace(/[\p{Cf}\p{Cc}\p{Mn}\s]/gu, "")
    .replace(/[\u0430\u0410]/g, "a")
    .replace(/[\u0435\u0415]/g, "e")
    .replace(/[\u043e\u041e\u03bf\u039f]/g, "o")
    .replace(/[\u0456\u0406\u0131]/g, "i")
    .replace(/[\u0441\u0421]/g, "c")
    .replace(/[\u0440\u0420]/g, "p")
    .replace(/[\u2010-\u2015\u2212\uFE63\uFF0D]/g, "-")
    .replace(/[\u2044\u2215\uFF0F]/g, "/")
    .toLowerCase();
  return folded.startsWith("/agent-policy") || folded.startsWith("/agentpolicy");
}

function invalid(problem: string): GrantCommand {
  return { kind: "invalid", problem };
}

function parseRevoke(words: string[]): GrantCommand {
  if (words.length !== 1 || !PRINTABLE_ASCII.test(words[0]!)) return invalid(`a revocation must be \`${REVOKE_SYNTAX}\``);
  const agent = words[0]!;
  if (!AGENT_NAME.test(agent)) return invalid("the agent must be named as in the policy (lower-case letters, digits, '-' and '_')");
  return { kind: "revoke", agent };
}

function parseGrant(words: string[]): GrantCommand {
  const forAt = words.indexOf("for");
  const becauseAt = words.indexOf("because");
  if (forAt < 2 || becauseAt !== forAt + 2) return invalid(`a grant must be \`${GRANT_SYNTAX}\``);
  const head = words.slice(0, becauseAt);
  if (!head.every((w) => PRINTABLE_ASCII.test(w))) return invalid("the command must be written in plain ASCII: a look-alike or invisible character was found in it");
  const agent = words[0]!;
  if (!AGENT_NAME.test(agent)) return invalid("the agent must be named as in the policy (lower-case letters, digits, '-' and '_')");
  const scope = parseScope(words.slice(1, forAt).join(","));
  if (typeof scope === "string") return invalid(scope);
  const duration = words[forAt + 1]!;
  const durationMs = parseDuration(duration);
  if (durationMs === undefined) return invalid("the duration must be a whole number of minutes, hours or days, such as 30m, 4h or 2d");
  const reason = words.slice(becauseAt + 1).join(" ").trim();
  if (reason.length === 0) return invalid("a grant must say why: `because <reason>`");
  if (reason.length > MAX_REASON) return invalid(`the reason is longer than ${MAX_REASON} characters`);
  return { kind: "grant", agent, scope, duration, durationMs, reason };
}

/** The scope items, or why they are not usable. */
function parseScope(text: string): GrantScope | string {
  const scope: GrantScope = { paths: [], branches: [], workflows: [], environments: [] };
  let kind: ScopeKind | undefined;
  let count = 0;
  for (const item of text.split(",").filter((i) => i.length > 0)) {
    const colon = item.indexOf(":");
    const named = colon > 0 ? item.slice(0, colon) : undefined;
    let value = item;
    if (named !== undefined && (SCOPE_KINDS as readonly string[]).includes(named)) {
      kind = named as ScopeKind;
      value = item.slice(colon + 1);
    } else if (named !== undefined && /^[a-z]+$/.test(named)) {
      return `unknown scope kind "${named}": use ${SCOPE_KINDS.map((k) => `${k}:`).join(", ")}`;
    }
    if (kind === undefined) return `each scope item is kind:value, e.g. paths:infra/**`;
    if (++count > MAX_ITEMS) return `a grant names at most ${MAX_ITEMS} scope items`;
    const problem = kind === "environments" ? (ENVIRONMENT.test(value) ? undefined : "is not an environment name") : checkGlob(value);
    if (problem) return `the ${kind} item number ${count} is not usable (${problem})`;
    if (!scope[kind].includes(value)) scope[kind].push(value);
  }
  if (count === 0) return "a grant must name what it widens, e.g. paths:infra/**";
  return scope;
}

/** `paths:infra/**`, … — the scope as one list, in kind order. */
export function scopeItems(scope: GrantScope): string[] {
  return SCOPE_KINDS.flatMap((kind) => scope[kind].map((value) => `${kind}:${value}`));
}
