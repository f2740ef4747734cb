import type { StepUpStatus } from "../engine/approvals.js";
import type { Identity } from "../engine/types.js";
import { GitHubFactsError } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** What asking for step-up reviews did; recorded in the check and the audit record, never fatal. */
export interface ReviewRequestResult {
  requestedUsers: string[];
  requestedTeams: string[];
  /** Approvers not asked, with the reason (already asked, another org's team, over GitHub's limit). */
  skipped: string[];
  error?: string;
}

/** GitHub accepts at most this many reviewers (users plus teams) on a pull request. */
const MAX_REQUESTED = 15;

/**
 * Requests review from the approvers of every pending step-up who have not
 * been asked yet and have no counting approval. Best effort: a failure is
 * returned in `error`, so the check run is still posted.
 */
export async function requestStepUpReviews(
  octokit: Octokit,
  repo: RepoRef,
  input: { number: number; author: Identity; statuses: readonly StepUpStatus[]; alreadyUsers: readonly string[]; alreadyTeams: readonly string[] },
): Promise<ReviewRequestResult> {
  const pending = input.statuses.filter((s) => !s.satisfied);
  const approved = new Set(input.statuses.flatMap((s) => s.approvedBy.map((l) => l.toLowerCase())));
  const author = input.author.login?.toLowerCase();
  const skipped: string[] = [];
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const status of pending) {
    for (const user of status.eligible.users) {
      const login = user.toLowerCase();
      if (login === author || approved.has(login)) continue;
      if (input.alreadyUsers.includes(login)) skipped.push(`@${user} (already asked)`);
      else users.add(user);
    }
    for (const team of status.eligible.teams) {
      const [org, slug] = team.split("/") as [string, string];
      if (org.toLowerCase() !== repo.owner.toLowerCase()) skipped.push(`@${team} (a team of another organisation cannot be asked)`);
      else if (input.alreadyTeams.includes(slug.toLowerCase())) skipped.push(`@${team} (already asked)`);
      else teams.add(slug);
    }
  }
  const room = Math.max(0, MAX_REQUESTED - input.alreadyUsers.length - input.alreadyTeams.length);
  const reviewers = [...users].sort().slice(0, room);
  const teamReviewers = [...teams].sort().slice(0, Math.max(0, room - reviewers.length));
  for (const left of [...users].sort().slice(reviewers.length)) skipped.push(`@${left} (over GitHub's reviewer limit)`);
  for (const left of [...teams].sort().slice(teamReviewers.length)) skipped.push(`@${repo.owner}/${left} (over GitHub's reviewer limit)`);
  const result: ReviewRequestResult = { requestedUsers: reviewers, requestedTeams: teamReviewers, skipped: [...new Set(skipped)].sort() };
  if (reviewers.length + teamReviewers.length === 0) return result;
  try {
    await octokit.rest.pulls.requestReviewers({ owner: repo.owner, repo: repo.repo, pull_number: input.number, reviewers, team_reviewers: teamReviewers });
  } catch (cause) {
    return { ...result, requestedUsers: [], requestedTeams: [], error: new GitHubFactsError(`request step-up reviews on #${input.number}`, { cause }).message };
  }
  return result;
}
