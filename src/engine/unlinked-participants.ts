import type { Policy } from "../policy/schema.js";
import { matcherForCatalogueEntry, matcherForDeclaredAgent, matchesActor } from "./agent-matcher.js";
import type { ParticipantRole } from "./approval-types.js";
import { CATALOGUE } from "./catalogue.js";
import { collectActors } from "./collect-actors.js";
import { parseNoreplyEmail } from "./identity.js";
import { isKnownBot } from "./known-bots.js";
import type { ActorRole, ChangeFacts } from "./types.js";

/** A person the change names only by a plain e-mail: the shell asks GitHub which account, if any, it belongs to. */
export interface UnlinkedParticipant {
  role: Exclude<ParticipantRole, "pusher">;
  /** Lower-case. */
  email: string;
  /** The first commit it appears in (GitHub links an e-mail to the same account in every commit). */
  commit: string;
  /** How the check names it, e.g. `co-author Bob <bob@example.com>`. */
  label: string;
}

const ROLES: Partial<Record<ActorRole, UnlinkedParticipant["role"]>> = {
  co_author: "co-author",
  commit_author: "commit author",
  committer: "committer",
};

/** The committer of commits GitHub makes itself (web edits, merges), whatever account it is linked to. */
const GITHUB_WEB_FLOW = "noreply@github.com";

/**
 * The git identities of a change that stand for a person GitHub has not
 * already named by account: every `Co-authored-by:` identity with a plain
 * e-mail, and every commit author or committer with a plain e-mail that
 * GitHub linked to no account. Left out: noreply addresses (they name their
 * account), lines or identities any agent or bot matches (an assistant is no
 * approver anyway), lines without an e-mail (git and GitHub ignore them),
 * e-mails GitHub linked to an account on another commit of the change (that
 * account is already a participant), and GitHub's own committer. One entry
 * per e-mail, in first-seen order.
 */
export function unlinkedParticipants(policy: Policy, facts: Pick<ChangeFacts, "actors" | "commits">): UnlinkedParticipant[] {
  const matchers = [...Object.values(policy.agents).map(matcherForDeclaredAgent), ...CATALOGUE.map(matcherForCatalogueEntry)];
  const actors = collectActors(facts);
  // An e-mail GitHub already linked to an account on some commit names that account (already a participant).
  const linked = new Set(
    actors.filter((a) => a.role !== "co_author" && (a.identity.id !== undefined || a.identity.login)).flatMap((a) => a.identity.email?.trim().toLowerCase() ?? []),
  );
  const found = new Map<string, UnlinkedParticipant>();
  for (const actor of actors) {
    const role = ROLES[actor.role];
    const { identity } = actor;
    const email = identity.email?.trim().toLowerCase();
    if (!role || !email || !actor.commit || found.has(email) || linked.has(email)) continue;
    if (role !== "co-author" && (identity.id !== undefined || identity.login)) continue;
    if (email === GITHUB_WEB_FLOW || parseNoreplyEmail(email)) continue;
    if (isKnownBot(identity) || matchers.some((m) => matchesActor(m, actor))) continue;
    const name = identity.name ? `${identity.name} ` : "";
    found.set(email, { role, email, commit: actor.commit, label: `${role} ${name}<${email}>` });
  }
  return [...found.values()];
}
