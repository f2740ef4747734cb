import { createHash } from "node:crypto";
import { CHECK_NAME, MAX_ANNOTATIONS, RE_EVALUATE_ACTION, type CheckRunOutput } from "../report/check-run-output.js";
import { step } from "./errors.js";
import type { OwnCheckRun } from "./commit-state.js";
import type { Octokit, RepoRef } from "./octokit.js";

export interface PublishedCheckRun {
  id: number;
  /** False when the newest "Agent Policy" run of ours on this commit already said exactly this. */
  created: boolean;
  digest: string;
}

/** A content digest of the result (the sealed record included), so a redelivered event is recognised as already reported. */
export function checkRunDigest(output: CheckRunOutput): string {
  const canonical = JSON.stringify([output.conclusion, output.title, output.summary, output.annotations, output.text ?? null]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 40);
}

/**
 * Publishes the "Agent Policy" check run on `headSha`.
 *
 * Idempotent: when the newest run of ours on that commit (`latest`, read by
 * the caller with the commit's record) carries the same digest
 * (`external_id`), nothing is written — a redelivered webhook never yields a
 * second, different result. Otherwise a new run is created (GitHub treats the
 * newest run of a name as the check's state; updating an old run would append
 * duplicate annotations), in one write with at most 50 annotations.
 */
export async function publishCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  input: { headSha: string; output: CheckRunOutput; completedAt: Date; detailsUrl?: string; latest: OwnCheckRun | undefined },
): Promise<PublishedCheckRun> {
  const digest = checkRunDigest(input.output);
  const externalId = `agent-policy:${digest}`;
  const ours = input.latest;
  if (ours && ours.externalId === externalId && ours.status === "completed") {
    return { id: ours.id, created: false, digest };
  }

  // renderCheckRun keeps to GitHub's one-call limit and says what it left out; this only guards it.
  const annotations = input.output.annotations.slice(0, MAX_ANNOTATIONS);
  const base = { title: input.output.title, summary: input.output.summary, ...(input.output.text ? { text: input.output.text } : {}) };

  const { data: created } = await step(`create the "${CHECK_NAME}" check run`, () =>
    octokit.rest.checks.create({
      owner: repo.owner,
      repo: repo.repo,
      name: CHECK_NAME,
      head_sha: input.headSha,
      external_id: externalId,
      status: "completed",
      conclusion: input.output.conclusion,
      completed_at: input.completedAt.toISOString(),
      ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
      ...(input.output.conclusion !== "success" ? { actions: [RE_EVALUATE_ACTION] } : {}),
      output: { ...base, annotations },
    }),
  );
  return { id: created.id, created: true, digest };
}
