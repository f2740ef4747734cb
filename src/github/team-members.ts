import type { TeamMembership } from "../engine/approval-types.js";
import { step, statusOf } from "./errors.js";
import type { Octokit } from "./octokit.js";

/**
 * The active members of each team (`org/slug`, lower-case), paginated, one
 * lookup per team. A team that does not exist or that the app cannot read is
 * `unavailable` — its members then count as no one (fail closed); any other
 * API failure is a `GitHubFactsError`.
 */
export async function readTeamMembers(octokit: Octokit, teams: readonly string[]): Promise<Record<string, TeamMembership>> {
  const result: Record<string, TeamMembership> = {};
  for (const team of [...new Set(teams.map((t) => t.toLowerCase()))].sort()) {
    const [org, slug] = team.split("/") as [string, string];
    try {
      const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, { org, team_slug: slug, per_page: 100 });
      result[team] = { status: "ok", members: members.map((m) => m.login.toLowerCase()) };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 403) {
        result[team] = {
          status: "unavailable",
          reason: status === 404 ? `team @${team} does not exist or is not visible to the app` : `the app may not read team @${team} (needs Members: read)`,
        };
      } else {
        await step(`list the members of team @${team}`, () => Promise.reject(error));
      }
    }
  }
  return result;
}
