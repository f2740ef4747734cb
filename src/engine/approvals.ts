import type { Policy } from "../policy/schema.js";
import type { ApprovalFacts, IgnoreReason, ReviewFact, ReviewState, StepUpStatus } from "./approval-types.js";
import { compareStrings } from "./compare.js";
import { reviewerExclusions } from "./reviewer-exclusions.js";
import type { ChangeFacts, Decision, Identity, StepUpRequirement } from "./types.js";

export type { ApprovalFacts, IgnoreReason, ReviewFact, ReviewState, StepUpStatus, TeamMembership } from "./approval-types.js";

/** The states that change a reviewer's standing; COMMENTED and PENDING leave it as it was. */
const STANDING_STATES: ReadonlySet<ReviewState> = new Set(["APPROVED", "CHANGES_REQUESTED", "DISMISSED"]);

/** A reviewer (lower-case login) and the review that decides their standing. */
export interface Standing {
  key: string;
  review: ReviewFact;
}

/**
 * Each reviewer's latest APPROVED / CHANGES_REQUESTED / DISMISSED review,
 * ordered by `submittedAt` then review id, sorted by login. Reviews without a
 * login (deleted accounts) cannot be attributed and are dropped. A review with
 * an unreadable time fails closed: an approval is dropped, any other state is
 * taken as the latest.
 */
export function standingReviews(reviews: readonly ReviewFact[]): Standing[] {
  const timed = reviews
    .filter((r) => STANDING_STATES.has(r.state) && r.reviewer.login)
    .map((review) => ({ review, at: Date.parse(review.submittedAt) }))
    .filter(({ review, at }) => !(Number.isNaN(at) && review.state === "APPROVED"))
    .map(({ review, at }) => ({ review, at: Number.isNaN(at) ? Infinity : at }))
    .sort((a, b) => (a.at === b.at ? a.review.id - b.review.id : a.at < b.at ? -1 : 1));
  const latest = new Map<string, ReviewFact>();
  for (const { review } of timed) latest.set((review.reviewer.login ?? "").toLowerCase(), review);
  return [...latest.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([key, review]) => ({ key, review }));
}

/**
 * The approval status of every step-up requirement of `decision`, in its order.
 *
 * An approval counts when the reviewer's standing review is APPROVED at the
 * change's head commit (`facts.headSha`, which `approvals.headSha` must equal,
 * else nothing counts), the reviewer is a listed user or a member of a listed
 * team whose membership is known, and `reviewerExclusions` does not exclude
 * them. Each login counts once. A standing CHANGES_REQUESTED from an approver
 * who is not an agent or bot keeps the step-up pending, at whatever commit it
 * was given and even when that approver's own approval could not count.
 */
export function evaluateStepUps(decision: Decision, facts: ChangeFacts, approvals: ApprovalFacts, policy: Policy): StepUpStatus[] {
  const excluded = reviewerExclusions(policy, facts, approvals.participants.accounts);
  const head = facts.headSha.toLowerCase();
  const headAgreed = head !== "" && approvals.headSha.toLowerCase() === head ? head : undefined;
  const standing = standingReviews(approvals.reviews);
  const unresolved = [...new Set(approvals.participants.unresolved)].sort(compareStrings);
  return decision.stepUps.map((req) => statusOf(req, standing, approvals.teamMembers, excluded, headAgreed, unresolved));
}

/**
 * One requirement's status. Each participant that could not be resolved to
 * an account might be any one of the approvers, so each adds one required
 * approval: `count` approvals from people shown not to have taken part then
 * always remain. (Refusing every approval instead would let anyone who can
 * add a co-author line block a change for good.)
 */
function statusOf(
  req: StepUpRequirement,
  standing: readonly Standing[],
  teamMembers: ApprovalFacts["teamMembers"],
  excluded: (identity: Identity) => IgnoreReason | undefined,
  head: string | undefined,
  unresolved: readonly string[],
): StepUpStatus {
  const users = new Set(req.users.map((u) => u.toLowerCase()));
  const readable: { slug: string; members: ReadonlySet<string> }[] = [];
  const teamErrors: string[] = [];
  for (const slug of req.teams) {
    const key = slug.replace(/^@/, "").toLowerCase();
    const membership = Object.hasOwn(teamMembers, key) ? teamMembers[key] : undefined;
    if (membership?.status === "ok") {
      readable.push({ slug, members: new Set(membership.members.map((m) => m.toLowerCase())) });
    } else {
      const why = membership ? membership.reason : "membership was not provided";
      teamErrors.push(`team @${slug}: ${why}; approvals by its members do not count`);
    }
  }
  const isApprover = (key: string) => users.has(key) || readable.some((t) => t.members.has(key));

  const approvedBy: string[] = [];
  const changesRequestedBy: string[] = [];
  const ignored: StepUpStatus["ignored"] = [];
  for (const { key, review } of standing) {
    const login = review.reviewer.login ?? key;
    const approver = isApprover(key);
    const exclusion = excluded(review.reviewer);
    if (review.state === "CHANGES_REQUESTED") {
      if (approver && exclusion !== "agent" && exclusion !== "bot") changesRequestedBy.push(login);
      else ignored.push({ login, reason: exclusion ?? "not an approver" });
      continue;
    }
    const reason: IgnoreReason | undefined =
      exclusion ??
      (!approver
        ? "not an approver"
        : review.state === "DISMISSED"
          ? "review dismissed"
          : review.commitId.toLowerCase() !== head
            ? "approved an older commit"
            : undefined);
    if (reason) ignored.push({ login, reason });
    else approvedBy.push(login);
  }

  const required = Math.max(1, req.count) + unresolved.length;
  return {
    name: req.name,
    required,
    approvedBy,
    unresolved: [...unresolved],
    missing: Math.max(0, required - approvedBy.length),
    eligible: { users: req.users.filter((u) => excluded({ login: u }) === undefined), teams: readable.map((t) => t.slug) },
    changesRequestedBy,
    ignored,
    teamErrors,
    satisfied: approvedBy.length >= required && changesRequestedBy.length === 0,
  };
}
