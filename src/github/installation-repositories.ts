import { step } from "./errors.js";
import type { Octokit } from "./octokit.js";

/** A repository the installation can read, and the branch its policy lives on. */
export interface InstallationRepository {
  owner: string;
  repo: string;
  defaultBranch: string;
}

/**
 * The repositories the installation was granted, 100 per page, at most `max`
 * (archived ones left out: nothing can change in them); `more` says the
 * listing was cut, so the caller can say so instead of skipping silently.
 */
export async function listInstallationRepositories(octokit: Octokit, options: { max: number }): Promise<{ repositories: InstallationRepository[]; more: boolean }> {
  const repositories: InstallationRepository[] = [];
  let more = false;
  await step("list the installation's repositories", () =>
    octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 }, (response, done) => {
      for (const r of response.data) {
        if (r.archived) continue;
        if (repositories.length >= options.max) {
          more = true;
          break;
        }
        repositories.push({ owner: r.owner.login, repo: r.name, defaultBranch: r.default_branch });
      }
      if (repositories.length >= options.max) {
        if (/rel="next"/.test(response.headers.link ?? "")) more = true;
        done();
      }
      return [];
    }),
  );
  return { repositories, more };
}
