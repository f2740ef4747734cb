import type { Identity } from "./types.js";

/** GitHub review states; only APPROVED, CHANGES_REQUESTED and DISMISSED change a reviewer's standing. */
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

/** One pull-request review as the shell read it (every page of them). */
export interface ReviewFact {
  id: number;
  /** login, id and type as GitHub reports the review's user; `email` only if the shell resolved one. */
  reviewer: Identity;
  state: ReviewState;
  /** The commit the review was given at. */
  commitId: string;
  /** ISO 8601. */
  submittedAt: string;
}

/** `members`: lower-case logins of the team's active members (pending invitations excluded). */
export type TeamMembership = { status: "ok"; members: string[] } | { status: "unavailable"; reason: string };

/** How a participant resolved through the API took part in the change. */
export type ParticipantRole = "pusher" | "co-author" | "commit author" | "committer";

/**
 * Who took part in the change beyond what its facts name with an account:
 * the people who pushed its commits, and the accounts behind git identities
 * the facts give only as an e-mail (co-authors, unlinked authors and
 * committers), as the shell resolved them through the API.
 */
export interface ParticipantFacts {
  accounts: { role: ParticipantRole; identity: Identity }[];
  /**
   * One line per participant the shell could not resolve to an account (an
   * e-mail no account is linked to, pushers it could not list). Each may be
   * any approver, so each raises every step-up's required approvals by one.
   */
  unresolved: string[];
}

export interface ApprovalFacts {
  /** The head commit the reviews were read for; must equal the change's head. */
  headSha: string;
  reviews: ReviewFact[];
  /** Keyed by lower-case `org/team`. A team listed by a requirement but absent here counts as unavailable. */
  teamMembers: Record<string, TeamMembership>;
  participants: ParticipantFacts;
}

/** Why a reviewer's review did not count (stable strings: shown in checks and audit records). */
export type IgnoreReason =
  | "agent"
  | "bot"
  | "PR author"
  | "commit author"
  | "committer"
  | "co-author"
  | "pusher"
  | "commit authors unverifiable"
  | "not an approver"
  | "review dismissed"
  | "approved an older commit";

export interface StepUpStatus {
  name: string;
  required: number;
  /** Distinct logins whose approval counts, sorted. */
  approvedBy: string[];
  /** Participants that could not be resolved to an account; `required` is `count` plus one for each. */
  unresolved: string[];
  /** `required - approvedBy.length`, at least 0. */
  missing: number;
  /** Who could still approve: listed users not excluded, and listed teams whose membership is known. */
  eligible: { users: string[]; teams: string[] };
  /** Approvers whose standing review requests changes: the step-up stays pending while any is listed. */
  changesRequestedBy: string[];
  ignored: { login: string; reason: IgnoreReason }[];
  /** One line per listed team whose membership could not be read (its members' approvals do not count). */
  teamErrors: string[];
  satisfied: boolean;
}
