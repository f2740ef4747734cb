import type { Policy } from "../../policy/schema.js";
import type { IgnoreReason, TeamMembership } from "../approval-types.js";
import { isExpired } from "../expiry.js";
import { ownerApprovers } from "../owner.js";
import { agentOrBotExclusion } from "../reviewer-exclusions.js";
import type { Identity } from "../types.js";
import { parseDuration } from "./duration.js";
import { parseGrantCommand, type GrantCommand, type GrantScope } from "./grant-command.js";

/** One comment of the pull request, as the shell read it. */
export interface GrantComment {
  id: number;
  /** The comment's author; null when GitHub shows a deleted account ("ghost"). */
  author: Identity | null;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
  body: string;
}

/** A grant in force: widens one agent's scope on this pull request until `expires`. */
export interface ActiveGrant {
  agent: string;
  scope: GrantScope;
  /** Login of the person who granted it. */
  by: string;
  commentId: number;
  /** ISO 8601: the comment's time plus the duration. */
  expires: string;
  reason: string;
}

/** What became of one command comment. */
export type GrantOutcome =
  | { commentId: number; status: "granted"; grant: ActiveGrant }
  | { commentId: number; status: "revoked"; agent: string; by: string; ended: ActiveGrant[] }
  | {
      commentId: number;
      status: "refused";
      command: GrantCommand["kind"];
      agent?: string;
      by?: string;
      reason: string;
      /** The author is no person: a deleted account, an AI assistant or a bot. */
      nonPerson?: true;
    };

export interface GrantFacts {
  comments: readonly GrantComment[];
  /** Why an account took part in the change (or cannot be shown not to have): `reviewerExclusions` of the change. */
  participation: (identity: Identity) => IgnoreReason | undefined;
  /** Participants the shell could not resolve to an account: any of them could be the grantor. */
  unresolved: readonly string[];
  /** Members of the teams that can grant, keyed by lower-case `org/team`; a team absent here counts as unreadable. */
  teamMembers: Readonly<Record<string, TeamMembership>>;
  /** ISO 8601: the last time the pull request was closed, if ever; grants made before it ended then. */
  closedAt?: string;
  /** Set when the comments or the closing time could not all be read: then every grant is refused (fail closed). */
  incomplete?: string;
}

export interface GrantLedger {
  /** One per command comment, in comment order (edited comments are left out: they never count). */
  outcomes: GrantOutcome[];
  /** Grants in force at `now`, in comment order. */
  active: ActiveGrant[];
  /** Grants that were accepted and have since run out (expiry, or the pull request closing). */
  ended: { grant: ActiveGrant; why: "expired" | "pull request closed" }[];
}

/**
 * Replays a pull request's command comments in order, the way GitHub shows
 * them, and says which grants are in force at `now`. Pure: the same comments,
 * facts and clock give the same ledger, so every evaluation works the grants
 * out afresh from GitHub, the only place they live.
 *
 * A comment counts only as first written: an edited one (`updatedAt` differs
 * from `createdAt`) is ignored, so widening an old grant by editing it does
 * nothing. A grant is accepted from a person (never an agent or a bot, by the
 * engine's identification as for approvals) who took no part in the change
 * (not the PR author nor an author, committer, co-author or pusher of its
 * commits, and only when every participant is known), and who is the agent's
 * owner — the user, or an active member of the team — or is listed in the
 * policy's `grants.by`; for a declared agent that is neither expired nor
 * suspended; for at most `grants.max_duration`. It ends at its expiry (the
 * comment's time plus the duration), at a later `revoke` of the agent by
 * anyone who may grant, or when the pull request closes.
 */
export function decideGrants(policy: Policy, facts: GrantFacts, now: Date): GrantLedger {
  const outcomes: GrantOutcome[] = [];
  let accepted: ActiveGrant[] = [];
  const comments = [...facts.comments].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
  for (const comment of comments) {
    if (comment.updatedAt !== comment.createdAt) continue;
    if (Date.parse(comment.createdAt) > now.getTime()) continue;
    const command = parseGrantCommand(comment.body);
    if (!command) continue;
    const outcome = decideCommand(policy, facts, comment, command, accepted);
    if (outcome.status === "granted") accepted.push(outcome.grant);
    if (outcome.status === "revoked") accepted = accepted.filter((g) => !outcome.ended.includes(g));
    outcomes.push(outcome);
  }
  const ended: GrantLedger["ended"] = [];
  const active: ActiveGrant[] = [];
  for (const grant of accepted) {
    if (facts.closedAt !== undefined && Date.parse(facts.closedAt) >= commentTime(comments, grant.commentId)) ended.push({ grant, why: "pull request closed" });
    else if (Date.parse(grant.expires) <= now.getTime()) ended.push({ grant, why: "expired" });
    else active.push(grant);
  }
  return { outcomes, active, ended };
}

function commentTime(comments: readonly GrantComment[], id: number): number {
  return Date.parse(comments.find((c) => c.id === id)!.createdAt);
}

function decideCommand(policy: Policy, facts: GrantFacts, comment: GrantComment, command: GrantCommand, accepted: readonly ActiveGrant[]): GrantOutcome {
  const commentId = comment.id;
  const agent = command.kind === "invalid" ? undefined : command.agent;
  const by = comment.author?.login;
  const refuse = (reason: string): Extract<GrantOutcome, { status: "refused" }> => ({ commentId, status: "refused", command: command.kind, ...(agent ? { agent } : {}), ...(by ? { by } : {}), reason });
  if (command.kind === "invalid") return refuse(`This is not a command the app accepts: ${command.problem}.`);
  const author = comment.author;
  const notAPerson = refuseNonPerson(policy, author, command.kind);
  if (notAPerson || !author?.login) return { ...refuse(notAPerson ?? "The comment's author no longer has a GitHub account."), nonPerson: true };
  const declared = Object.hasOwn(policy.agents, command.agent) ? policy.agents[command.agent] : undefined;
  if (!declared) return refuse(`The policy declares no agent named ${command.agent}; a grant widens a declared agent's scope only.`);
  const authority = authorityOf(policy, declared.owner, author, facts.teamMembers);
  if (!authority.ok) return refuse(`@${author.login} may not ${command.kind} scope for ${command.agent}: ${authority.why}.`);

  if (command.kind === "revoke") {
    const ended = accepted.filter((g) => g.agent === command.agent);
    return { commentId, status: "revoked", agent: command.agent, by: author.login, ended };
  }

  if (facts.incomplete !== undefined) return refuse(`The app could not read everything a grant depends on (${facts.incomplete}), so it grants nothing on this pull request.`);
  if (declared.suspended) return refuse(`${command.agent} is suspended; a grant cannot lift a suspension.`);
  if (declared.expires !== undefined && isExpired(declared.expires, new Date(comment.createdAt)))
    return refuse(`${command.agent} expired (${declared.expires}); a grant cannot extend an agent's life.`);
  const took = facts.participation(author);
  if (took) return refuse(`@${author.login} took part in this change (${took}), and nobody who did may widen its scope.`);
  if (facts.unresolved.length > 0)
    return refuse(`Not everyone who took part in this change could be resolved to a GitHub account (${facts.unresolved.length} unresolved), so the app cannot show that @${author.login} did not.`);
  const max = parseDuration(policy.grants.max_duration)!;
  if (command.durationMs > max) return refuse(`The duration ${command.duration} is longer than this policy allows (grants.max_duration: ${policy.grants.max_duration}).`);
  const expires = new Date(Date.parse(comment.createdAt) + command.durationMs).toISOString();
  return { commentId, status: "granted", grant: { agent: command.agent, scope: command.scope, by: author.login, commentId, expires, reason: command.reason } };
}

/**
 * Why the author of a command can never give it, whatever the change: a
 * deleted account, an AI assistant (declared or from the catalogue) or a
 * bot, identified as approvers are (never by the login's suffix alone).
 * Undefined for a person. Shells use it to answer such a command without
 * reading anything more.
 */
export function refuseNonPerson(policy: Policy, author: Identity | null, kind: "grant" | "revoke"): string | undefined {
  if (!author || !author.login) return "The comment's author no longer has a GitHub account, so nobody can be held to it.";
  const nonHuman = agentOrBotExclusion(policy)(author);
  if (nonHuman) return `Only a person can ${kind} scope: @${author.login} is ${nonHuman === "agent" ? "an AI assistant" : "a bot"}.`;
  return undefined;
}

type Authority = { ok: true } | { ok: false; why: string };

/** Whether the person is the agent's owner (user or active team member) or listed in `grants.by`. */
function authorityOf(policy: Policy, owner: string, author: Identity, teamMembers: GrantFacts["teamMembers"]): Authority {
  const login = author.login!.toLowerCase();
  const ownerIs = ownerApprovers(owner);
  const users = [...ownerIs.users, ...policy.grants.by.users].map((u) => u.toLowerCase());
  if (users.includes(login)) return { ok: true };
  const teams = [...new Set([...ownerIs.teams, ...policy.grants.by.teams].map((t) => t.toLowerCase()))];
  const unreadable: string[] = [];
  for (const team of teams) {
    const membership = teamMembers[team];
    if (membership?.status === "ok" && membership.members.includes(login)) return { ok: true };
    if (membership?.status !== "ok") unreadable.push(`@${team}`);
  }
  const unread = unreadable.length > 0 ? ` (the members of ${unreadable.join(", ")} could not be read)` : "";
  return { ok: false, why: `only the agent's owner ${owner} or someone in the policy's grants.by may${unread}` };
}

/** The lower-case teams whose members may grant scope for `agents`: their owners' teams and `grants.by.teams`. */
export function grantingTeams(policy: Policy, agents: readonly string[]): string[] {
  const teams = agents.flatMap((a) => (Object.hasOwn(policy.agents, a) ? ownerApprovers(policy.agents[a]!.owner).teams : []));
  return [...new Set([...teams, ...policy.grants.by.teams].map((t) => t.toLowerCase()))].sort();
}
