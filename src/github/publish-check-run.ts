import { createHash } from "node:crypto";
import { CHECK_NAME, MAX_ANNOTATIONS, RE_EVALUATE_ACTION, type CheckRunOutput } from "../report/check-run-output.js";
import { step } from "./errors.js";
import type { OwnCheckRun } from "./commit-state.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** GitHub accepts at most 50 annotations per create/update call. */
export const ANNOTATIONS_PER_CALL = 50;
export { MAX_ANNOTATIONS };

export interface PublishedCheckRun {
  id: number;
  /** False when the newest "Agent Policy" run of ours on this commit already said exactly this. */
  created: boolean;
  digest: string;
  annotationCalls: number;
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
 * duplicate annotations). Annotations go in batches of 50.
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
    return { id: ours.id, created: false, digest, annotationCalls: 0 };
  }

  const annotations = input.output.annotations.slice(0, MAX_ANNOTATIONS);
  const batches: (typeof annotations)[] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_CALL) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_CALL));
  const summary = input.output.annotations.length > MAX_ANNOTATIONS
    ? `${input.output.summary}\n\n_${input.output.annotations.length - MAX_ANNOTATIONS} further annotations were not posted; every finding is in the audit log._`
    : input.output.summary;
  const base = { title: input.output.title, summary, ...(input.output.text ? { text: input.output.text } : {}) };

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
      output: { ...base, annotations: batches[0] ?? [] },
    }),
  );
  for (const batch of batches.slice(1)) {
    await step(`add annotations to check run ${created.id}`, () =>
      octokit.rest.checks.update({ owner: repo.owner, repo: repo.repo, check_run_id: created.id, output: { ...base, annotations: batch } }),
    );
  }
  return { id: created.id, created: true, digest, annotationCalls: Math.max(1, batches.length) };
}
