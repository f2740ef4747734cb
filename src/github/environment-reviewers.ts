import type { EnvironmentReviewers } from "../engine/decide-deployment.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** Stands for a reviewer entry the app could not read: it matches no owner, so delegation fails closed. */
const UNREADABLE = "(unreadable reviewer)";

/**
 * The required reviewers GitHub enforces for an environment (`GET
 * /repos/{owner}/{repo}/environments/{name}`, Actions: read). Teams are written
 * `org/slug` with the repository's owner as org: an environment can only list
 * teams of the organization that owns the repository. Self-review counts as
 * prevented only when every required-reviewers rule prevents it.
 */
export async function readEnvironmentReviewers(octokit: Octokit, repo: RepoRef, environment: string): Promise<EnvironmentReviewers> {
  const { data } = await step(`read the protection rules of the ${environment} environment`, () =>
    octokit.rest.repos.getEnvironment({ ...repo, environment_name: environment }),
  );
  const result: EnvironmentReviewers = { users: [], teams: [], preventSelfReview: true };
  let rules = 0;
  for (const rule of data.protection_rules ?? []) {
    if (rule.type !== "required_reviewers" || !("reviewers" in rule)) continue;
    rules += 1;
    if (rule.prevent_self_review !== true) result.preventSelfReview = false;
    for (const entry of rule.reviewers ?? []) {
      const reviewer = entry.reviewer as { login?: string; slug?: string } | undefined;
      if (entry.type === "User" && reviewer?.login) result.users.push(reviewer.login);
      else if (entry.type === "Team" && reviewer?.slug) result.teams.push(`${repo.owner}/${reviewer.slug}`);
      else result.users.push(UNREADABLE);
    }
  }
  if (rules === 0) result.preventSelfReview = false;
  return result;
}
