import { GitHubFactsError } from "../github/errors.js";
import { loadPolicy, type LoadedPolicy, type PolicyCache } from "../github/load-policy.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { POLICY_FILE } from "../policy/schema.js";

/** What a handler knows of the policy when reading it failed: the place it should be, and nothing valid. */
export function unreadPolicy(defaultBranch: string): LoadedPolicy {
  return { source: "repository", path: POLICY_FILE, ref: defaultBranch, result: { ok: false, issues: [] } };
}

/**
 * Loads the policy for a handler that must go on when it cannot (to fail
 * closed, or to judge with the catalogue alone): a failure comes back as
 * `error`, with the unread placeholder as `loaded`.
 */
export async function readPolicy(
  octokit: Octokit,
  repo: RepoRef & { defaultBranch: string },
  cache: PolicyCache,
): Promise<{ loaded: LoadedPolicy; error?: string; cause?: unknown }> {
  try {
    return { loaded: await loadPolicy(octokit, repo, cache) };
  } catch (cause) {
    const error = cause instanceof GitHubFactsError ? cause.message : `internal error: ${(cause as Error).message}`;
    return { loaded: unreadPolicy(repo.defaultBranch), error, cause };
  }
}
