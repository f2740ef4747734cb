import { z } from "zod";
import type { PullRequestData } from "../github/pull-request-facts.js";

const sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/);
const count = z.number().int().nonnegative();

/**
 * Every field of a pull request that judging it reads (see
 * `gatherPullRequestFacts`), as GitHub's `pull_request` events carry them.
 */
const JUDGED_FIELDS = z.looseObject({
  number: z.number().int().positive(),
  state: z.string(),
  html_url: z.string(),
  user: z.looseObject({ login: z.string(), id: z.number(), type: z.string().optional() }),
  head: z.looseObject({
    sha,
    ref: z.string(),
    repo: z.looseObject({ name: z.string(), owner: z.looseObject({ login: z.string() }) }).nullable(),
  }),
  base: z.looseObject({ sha, ref: z.string(), repo: z.looseObject({ default_branch: z.string() }) }),
  commits: count,
  changed_files: count,
  comments: count.optional(),
  requested_reviewers: z.array(z.looseObject({ login: z.string() })),
  requested_teams: z.array(z.looseObject({ slug: z.string() })),
});

/**
 * The pull request of a `pull_request` event, when the payload carries every
 * field the judgement reads; otherwise undefined, and the pull request is read
 * from GitHub. The copy may be late (the head moved on since); the evaluation
 * confirms its head from the commits it lists before trusting it.
 */
export function pullFromPayload(pull: unknown): PullRequestData | undefined {
  const parsed = JUDGED_FIELDS.safeParse(pull);
  return parsed.success ? (pull as PullRequestData) : undefined;
}
