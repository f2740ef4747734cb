import { decideGrants, grantingTeams, type GrantFacts, type GrantLedger } from "../engine/grants/decide-grants.js";
import { parseGrantCommand } from "../engine/grants/grant-command.js";
import { reviewerExclusions } from "../engine/reviewer-exclusions.js";
import type { Policy, PullRequestFacts } from "../engine/types.js";
import { unlinkedParticipants } from "../engine/unlinked-participants.js";
import { lastClosedAt, listPullRequestComments } from "./grant-comments.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { gatherParticipants, type HeadBranch } from "./participant-facts.js";
import { readTeamMembers } from "./team-members.js";

/** What a pull request's grants depend on of the change itself: its number, author and commits (who took part). */
export type GrantChangeFacts = Pick<PullRequestFacts, "number" | "actors" | "commits" | "commitsComplete">;

/** The grants of one pull request as its comments give them, and the app's answers already posted. */
export interface GrantReading {
  ledger: GrantLedger;
  /** Command comment id → the app's answer (comment id). */
  replies: Map<number, number>;
}

/**
 * Reads what the grants of a pull request depend on, only as far as needed:
 * its comments (bounded, see `listPullRequestComments`); when a command is
 * among them, who took part in the change (pushers, accounts behind
 * e-mails: the same facts as for approvals) and the members of the teams
 * that may grant; when a grant was accepted, when the pull request was last
 * closed. Then `decideGrants` decides, with the injected clock. Any API
 * failure is a `GitHubFactsError` (the caller fails closed, without grants).
 */
export async function readGrants(
  octokit: Octokit,
  repo: RepoRef,
  input: { policy: Policy; facts: GrantChangeFacts; head: HeadBranch | undefined; appId?: number; now: Date },
): Promise<GrantReading> {
  const { policy, facts, now } = input;
  const listed = await listPullRequestComments(octokit, repo, facts.number, input.appId !== undefined ? { appId: input.appId } : {});
  const commands = listed.comments.filter((c) => c.updatedAt === c.createdAt).flatMap((c) => parseGrantCommand(c.body) ?? []);
  const none = { comments: [], participation: () => undefined, unresolved: [], teamMembers: {} } satisfies GrantFacts;
  if (commands.length === 0) return { ledger: decideGrants(policy, none, now), replies: listed.replies };

  const agents = [...new Set(commands.flatMap((c) => (c.kind === "invalid" ? [] : [c.agent])))];
  const [participants, teamMembers] = await Promise.all([
    gatherParticipants(octokit, repo, { head: input.head, unlinked: unlinkedParticipants(policy, facts) }),
    readTeamMembers(octokit, grantingTeams(policy, agents)),
  ]);
  const grantFacts: GrantFacts = {
    comments: listed.comments,
    participation: reviewerExclusions(policy, facts, participants.accounts),
    unresolved: participants.unresolved,
    teamMembers,
    ...(listed.incomplete ? { incomplete: listed.incomplete } : {}),
  };
  let ledger = decideGrants(policy, grantFacts, now);
  if (ledger.outcomes.some((o) => o.status === "granted")) {
    const closed = await lastClosedAt(octokit, repo, facts.number);
    ledger = decideGrants(
      policy,
      { ...grantFacts, ...(closed.closedAt ? { closedAt: closed.closedAt } : {}), ...(closed.incomplete && !grantFacts.incomplete ? { incomplete: closed.incomplete } : {}) },
      now,
    );
  }
  return { ledger, replies: listed.replies };
}
