import { isKnownBot } from "../engine/known-bots.js";
import { statusOf } from "../github/errors.js";
import type { Octokit } from "../github/octokit.js";
import type { CommitRecord } from "../report/commit-record.js";
import { pullRequestKey } from "../report/commit-verdict.js";

/** A review event as the gate reads it from the payload. */
export interface ReviewTrigger {
  action: string;
  /** The review's state as the payload gives it (`approved`, `changes_requested`, `commented`, `dismissed`, …); any other is evaluated. */
  state: string;
  /** Who wrote the review (for a dismissal: whose review was dismissed). */
  reviewer: { login?: string; id?: number; type?: string } | null;
  /** The pull request's author. */
  author: { id?: number; login?: string } | null;
  number: number;
}

export interface GateDecision {
  evaluate: boolean;
  reason: string;
}

/** At most this many approver teams are asked about one reviewer; with more, the review is evaluated. */
export const TEAM_LOOKUPS = 5;

/**
 * Whether a review can change the pull request's verdict, decided from the
 * payload alone (no API call). A COMMENTED or PENDING review changes no
 * reviewer's standing (see `standingReviews`); no review counts
 * from a bot, an assistant the catalogue knows or the pull request's author;
 * an edit changes a review's text, never its state. Undefined: the commit's
 * record must tell (`reviewCanChange`).
 */
export function reviewIsInert(review: ReviewTrigger): string | undefined {
  if (review.action === "edited") return "an edited review keeps its state";
  const state = review.state.toLowerCase();
  if (state === "commented" || state === "pending") return `a ${state} review changes no reviewer's standing`;
  const reviewer = review.reviewer;
  // A review the payload does not attribute is evaluated: the evaluation reads the reviews from GitHub.
  if (!reviewer?.login) return undefined;
  if (isKnownBot({ login: reviewer.login, ...(reviewer.id !== undefined ? { id: reviewer.id } : {}), ...(reviewer.type ? { type: reviewer.type } : {}) })) {
    return "a bot's or assistant's review never counts";
  }
  const author = review.author;
  if (author && ((author.id !== undefined && author.id === reviewer.id) || (author.login && author.login.toLowerCase() === reviewer.login.toLowerCase()))) {
    return "the pull request's author cannot approve it";
  }
  return undefined;
}

/**
 * Whether a standing review can change the verdict the commit's record holds
 * for the pull request. Fails towards evaluating: no record, no verdict of
 * this pull request in it, a verdict that was an error, approvers not kept,
 * too many teams to ask, or a team that cannot be asked all evaluate. Only a
 * reviewer shown to be none of the recorded approvers (not a listed user, not
 * an active member of a listed team) is skipped, as is any review of a
 * pull request whose verdict waits on no approval.
 */
export async function reviewCanChange(octokit: Octokit, record: CommitRecord | undefined, review: ReviewTrigger): Promise<GateDecision> {
  const subject = record?.subjects.find((s) => s.key === pullRequestKey(review.number));
  if (!subject) return { evaluate: true, reason: "no verdict of this pull request is on record at its head" };
  if (subject.verdict === "error") return { evaluate: true, reason: "the verdict on record is an error" };
  const approvers = subject.approvers;
  if (!approvers) return { evaluate: true, reason: "the verdict on record does not say who could approve it" };
  if (approvers.users.length === 0 && approvers.teams.length === 0) return { evaluate: false, reason: "no step-up of this pull request waits on an approval" };
  const login = review.reviewer?.login?.toLowerCase();
  if (!login) return { evaluate: true, reason: "the payload does not say who reviewed" };
  if (approvers.users.includes(login)) return { evaluate: true, reason: "the reviewer is a listed approver" };
  if (approvers.teams.length > TEAM_LOOKUPS) return { evaluate: true, reason: `more than ${TEAM_LOOKUPS} approver teams to ask about the reviewer` };
  for (const team of approvers.teams) {
    const [org, slug, ...rest] = team.split("/");
    if (!org || !slug || rest.length > 0) return { evaluate: true, reason: `approver team ${team} is not of the form org/team` };
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
      if (data.state === "active") return { evaluate: true, reason: `the reviewer is a member of approver team ${team}` };
    } catch (error) {
      if (statusOf(error) !== 404) return { evaluate: true, reason: `could not ask whether the reviewer is in team ${team}` };
    }
  }
  return { evaluate: false, reason: "the reviewer is none of the approvers of this pull request's step-ups" };
}
