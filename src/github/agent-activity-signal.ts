import { CHECK_NAME, NO_AGENT_TITLE } from "../report/check-run-output.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

interface RunLike {
  id: number;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  app?: { id?: number } | null;
  output?: { title?: string | null } | null;
}

/**
 * Whether the app's own newest "Agent Policy" run on a commit says, positively,
 * that nothing on it was an AI assistant (completed, `success`, and the
 * "no AI assistant activity" title, which only the commit's one verdict over
 * all of its subjects carries). One request. Anything else — no run of ours,
 * a run in progress, another result — is "maybe": the
 * caller then re-evaluates (a wrong "maybe" costs an evaluation; a wrong
 * "no" would leave an agent's work green). A failure to read throws a
 * `GitHubFactsError`; the caller evaluates then too.
 */
export async function judgedFreeOfAgents(octokit: Octokit, repo: RepoRef, sha: string, options: { appId?: number }): Promise<boolean> {
  const { data } = await step(`list the "${CHECK_NAME}" check runs on ${sha.slice(0, 7)}`, () =>
    octokit.rest.checks.listForRef({ ...repo, ref: sha, check_name: CHECK_NAME, filter: "latest", per_page: 100 }),
  );
  const newest = (data.check_runs as RunLike[])
    .filter((run) => (options.appId ? run.app?.id === options.appId : run.external_id?.startsWith("agent-policy:")))
    .sort((a, b) => b.id - a.id)[0];
  return newest?.status === "completed" && newest.conclusion === "success" && newest.output?.title === NO_AGENT_TITLE;
}
