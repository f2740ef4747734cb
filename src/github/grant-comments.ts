import type { GrantComment } from "../engine/grants/decide-grants.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { identityOf } from "./pull-request-facts.js";

/** Pages of comments read per pull request (100 each): a pull request with more is not fully known. */
export const MAX_COMMENT_PAGES = 10;
/** Pages of issue events read to find when the pull request was last closed. */
export const MAX_EVENT_PAGES = 3;

/** The hidden line that ties the app's answer to the command it answers. */
export function replyMarker(commentId: number): string {
  return `<!-- agent-policy:grant-reply ${commentId} -->`;
}
const MARKER = /^<!-- agent-policy:grant-reply (\d+) -->/m;

export interface PullRequestComments {
  comments: GrantComment[];
  /** Command comment id → the app's answer to it (comment id). */
  replies: Map<number, number>;
  /** Why not every comment was read (then no grant is in force). */
  incomplete?: string;
}

interface CommentLike {
  id: number;
  body?: string | null;
  user?: { login?: string | null; id?: number | null; type?: string | null } | null;
  created_at: string;
  updated_at: string;
  performed_via_github_app?: { id?: number | null } | null;
}

/**
 * The pull request's comments, oldest first, at most `MAX_COMMENT_PAGES`
 * pages (beyond that the list is `incomplete`: grants are then refused, not
 * guessed). `since` narrows the listing to comments updated at or after it,
 * which is all that is needed to find the app's answer to a new command.
 * The app's own answers are told apart by the app that posted them (`appId`,
 * or any bot account when the app's id is unknown), so a person cannot
 * silence an answer by pasting its marker.
 */
export async function listPullRequestComments(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  options: { appId?: number; since?: string } = {},
): Promise<PullRequestComments> {
  const comments: GrantComment[] = [];
  const replies = new Map<number, number>();
  let pages = 0;
  let more = false;
  const params = { owner: repo.owner, repo: repo.repo, issue_number: number, per_page: 100, ...(options.since ? { since: options.since } : {}) };
  await step(`list the comments of pull request #${number}`, async () => {
    for await (const response of octokit.paginate.iterator(octokit.rest.issues.listComments, params)) {
      pages += 1;
      for (const c of response.data as CommentLike[]) {
        const body = c.body ?? "";
        const reply = MARKER.exec(body);
        if (reply && isTheApps(c, options.appId)) {
          replies.set(Number(reply[1]), c.id);
          continue;
        }
        comments.push({ id: c.id, author: c.user ? identityOf(c.user) : null, createdAt: c.created_at, updatedAt: c.updated_at, body });
      }
      more = /rel="next"/.test(response.headers.link ?? "");
      if (pages >= MAX_COMMENT_PAGES) break;
    }
  });
  return { comments, replies, ...(more ? { incomplete: `the pull request has more than ${MAX_COMMENT_PAGES * 100} comments` } : {}) };
}

function isTheApps(comment: CommentLike, appId: number | undefined): boolean {
  if (appId !== undefined) return comment.performed_via_github_app?.id === appId;
  return comment.user?.type === "Bot";
}

/**
 * When the pull request was last closed (ISO 8601), or undefined when never;
 * a `string` reason when its events could not all be read (more than
 * `MAX_EVENT_PAGES` pages).
 */
export async function lastClosedAt(octokit: Octokit, repo: RepoRef, number: number): Promise<{ closedAt?: string; incomplete?: string }> {
  let closedAt: string | undefined;
  let pages = 0;
  let more = false;
  const params = { owner: repo.owner, repo: repo.repo, issue_number: number, per_page: 100 };
  await step(`list the events of pull request #${number}`, async () => {
    for await (const response of octokit.paginate.iterator(octokit.rest.issues.listEvents, params)) {
      pages += 1;
      for (const event of response.data) if (event.event === "closed" && (closedAt === undefined || event.created_at > closedAt)) closedAt = event.created_at;
      more = /rel="next"/.test(response.headers.link ?? "");
      if (pages >= MAX_EVENT_PAGES) break;
    }
  });
  if (more) return { incomplete: `the pull request has more than ${MAX_EVENT_PAGES * 100} events, so when it was last closed is unknown` };
  return closedAt ? { closedAt } : {};
}
