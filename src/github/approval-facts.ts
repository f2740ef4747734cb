import type { ApprovalFacts, ReviewFact } from "../engine/approvals.js";
import type { StepUpRequirement } from "../engine/types.js";
import type { UnlinkedParticipant } from "../engine/unlinked-participants.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { gatherParticipants, type HeadBranch } from "./participant-facts.js";
import { identityOf } from "./pull-request-facts.js";
import { readTeamMembers } from "./team-members.js";

type ReviewState = ReviewFact["state"];
const REVIEW_STATES: readonly ReviewState[] = ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"];

/** Every review of the pull request (paginated), as the approval logic reads them. */
export async function listReviewFacts(octokit: Octokit, repo: RepoRef, number: number): Promise<ReviewFact[]> {
  const reviews = await step(`list the reviews of pull request #${number}`, () =>
    octokit.paginate(octokit.rest.pulls.listReviews, { owner: repo.owner, repo: repo.repo, pull_number: number, per_page: 100 }),
  );
  return reviews.map((r) => ({
    id: r.id,
    reviewer: identityOf(r.user),
    state: (REVIEW_STATES as readonly string[]).includes(r.state) ? (r.state as ReviewState) : "COMMENTED",
    commitId: r.commit_id ?? "",
    submittedAt: r.submitted_at ?? "",
  }));
}

/**
 * Gathers what the step-up approval logic needs: every review of the pull
 * request (paginated), the active members of each approver team named by a
 * pending step-up, and who else took part (see `gatherParticipants`: the
 * head branch's pushers, the accounts behind e-mail-only identities). Team
 * lookups are made once per event. A team that does not exist or that the
 * app cannot read is reported as unavailable — its members then cannot
 * approve (fail closed) — while any other API failure is a `GitHubFactsError`.
 */
export async function gatherApprovalFacts(
  octokit: Octokit,
  repo: RepoRef,
  input: {
    number: number;
    headSha: string;
    stepUps: readonly StepUpRequirement[];
    head: HeadBranch | undefined;
    unlinked: readonly UnlinkedParticipant[];
  },
): Promise<ApprovalFacts> {
  const reviewFacts = await listReviewFacts(octokit, repo, input.number);

  const teamMembers = await readTeamMembers(octokit, input.stepUps.flatMap((s) => s.teams));
  const participants = await gatherParticipants(octokit, repo, { head: input.head, unlinked: input.unlinked });
  return { headSha: input.headSha, reviews: reviewFacts, teamMembers, participants };
}
