import { createHash } from "node:crypto";
import { CHECK_NAME, RE_EVALUATE_ACTION, type CheckRunOutput } from "../report/check-run-output.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** GitHub accepts at most 50 annotations per create/update call. */
export const ANNOTATIONS_PER_CALL = 50;
/** Beyond this many annotations the summary carries the rest; keeps one event's writes bounded. */
export const MAX_ANNOTATIONS = 500;

export interface PublishedCheckRun {
  id: number;
  /** False when the latest "Agent Policy" run on this commit already said exactly this. */
  created: boolean;
  digest: string;
  annotationCalls: number;
}

/** A content digest of the result, so a redelivered event is recognised as already reported. */
export function checkRunDigest(output: CheckRunOutput): string {
  const canonical = JSON.stringify([output.conclusion, output.title, output.summary, output.annotations]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 40);
}

/**
 * Publishes the "Agent Policy" check run on `headSha`.
 *
 * Idempotent: when the newest run of ours on that commit carries the same
 * digest (`external_id`), nothing is written — a redelivered webhook never
 * yields a second, different result. Otherwise a new run is created (GitHub
 * treats the newest run of a name as the check's state; updating an old run
 * would append duplicate annotations). Annotations go in batches of 50.
 */
export async function publishCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  input: { headSha: string; output: CheckRunOutput; completedAt: Date; detailsUrl?: string; appId?: number },
): Promise<PublishedCheckRun> {
  const digest = checkRunDigest(input.output);
  const externalId = `agent-policy:${digest}`;

  const existing = await step(`list the "${CHECK_NAME}" check runs on ${input.headSha.slice(0, 7)}`, () =>
    octokit.rest.checks.listForRef({ owner: repo.owner, repo: repo.repo, ref: input.headSha, check_name: CHECK_NAME, filter: "latest", per_page: 100 }),
  );
  const ours = existing.data.check_runs
    .filter((run) => (input.appId ? run.app?.id === input.appId : run.external_id?.startsWith("agent-policy:")))
    .sort((a, b) => b.id - a.id)[0];
  if (ours && ours.external_id === externalId && ours.status === "completed") {
    return { id: ours.id, created: false, digest, annotationCalls: 0 };
  }

  const annotations = input.output.annotations.slice(0, MAX_ANNOTATIONS);
  const batches: (typeof annotations)[] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_CALL) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_CALL));
  const summary = input.output.annotations.length > MAX_ANNOTATIONS
    ? `${input.output.summary}\n\n_${input.output.annotations.length - MAX_ANNOTATIONS} further annotations were not posted; every finding is in the audit log._`
    : input.output.summary;
  const base = { title: input.output.title, summary };

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
