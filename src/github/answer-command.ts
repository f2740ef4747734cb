import { step } from "./errors.js";
import { listPullRequestComments, replyMarker } from "./grant-comments.js";
import type { Octokit, RepoRef } from "./octokit.js";

/**
 * Posts the app's one answer to a command comment, unless it already did
 * (a redelivered event): `known` holds the answers the caller already read;
 * otherwise the comments since the command are read to look for it. Returns
 * the answer's comment id and whether it was posted now.
 */
export async function answerCommand(
  octokit: Octokit,
  repo: RepoRef,
  input: { number: number; commentId: number; commentCreatedAt: string; body: (marker: string) => string; known?: Map<number, number>; appId?: number },
): Promise<{ id: number; posted: boolean }> {
  let existing = input.known?.get(input.commentId);
  if (!input.known) {
    const since = await listPullRequestComments(octokit, repo, input.number, { since: input.commentCreatedAt, ...(input.appId !== undefined ? { appId: input.appId } : {}) });
    existing = since.replies.get(input.commentId);
  }
  if (existing !== undefined) return { id: existing, posted: false };
  const { data } = await step(`answer the command in comment ${input.commentId} on #${input.number}`, () =>
    octokit.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: input.number, body: input.body(replyMarker(input.commentId)) }),
  );
  return { id: data.id, posted: true };
}
