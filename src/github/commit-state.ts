import { CHECK_NAME } from "../report/check-run-output.js";
import { emptyRecord, openRecord, type CommitRecord, type RecordScope } from "../report/commit-record.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { openPullRequestsAt } from "./open-pull-requests-at.js";

/** The newest "Agent Policy" run of this app on a commit: what a redelivery is compared with. */
export interface OwnCheckRun {
  id: number;
  externalId: string | null;
  status: string;
}

/** What the app knows of a commit before it posts its verdict there. */
export interface CommitState {
  record: CommitRecord;
  latest: OwnCheckRun | undefined;
  /** Open pull requests whose head is the commit. */
  openPulls: number[];
}

/** The commit's record exists but cannot be trusted or read: the evaluation fails closed. */
export class CommitRecordError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "CommitRecordError";
  }
}

/** How far back the record is looked for when the newest run carries none (GitHub keeps at most 1000 runs of a name per suite). */
const MAX_RUN_PAGES = 10;

interface RunLike {
  id: number;
  external_id: string | null;
  status: string;
  app?: { id?: number } | null;
  output?: { text?: string | null } | null;
}

/** Reads the record and the open pull requests of a commit, both at once. */
export async function readCommitState(octokit: Octokit, repo: RepoRef, sha: string, options: { appId?: number; key: string }): Promise<CommitState> {
  const [{ record, latest }, openPulls] = await Promise.all([readCommitRecord(octokit, repo, sha, options), openPullRequestsAt(octokit, repo, sha)]);
  return { record, latest, openPulls };
}

/**
 * The record the app keeps on a commit, from the newest of its own "Agent
 * Policy" runs there that carries one. Runs are the app's own when GitHub
 * says this app created them (another app can name a run "Agent Policy"
 * too); without a known app id, by the app's `external_id` prefix, and the
 * seal decides. A run posted while the record could not be read carries
 * none, so the search goes on to older runs. Fails closed: a record that does
 * not verify, or runs that cannot be listed, throw.
 */
export async function readCommitRecord(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  options: { appId?: number; key: string },
): Promise<{ record: CommitRecord; latest: OwnCheckRun | undefined }> {
  const scope: RecordScope = { repo: `${repo.owner}/${repo.repo}`, sha, key: options.key };
  const ours = (runs: readonly RunLike[]) =>
    runs
      .filter((run) => (options.appId ? run.app?.id === options.appId : run.external_id?.startsWith("agent-policy:")))
      .sort((a, b) => b.id - a.id);
  const { data } = await step(`list the "${CHECK_NAME}" check runs on ${sha.slice(0, 7)}`, () =>
    octokit.rest.checks.listForRef({ owner: repo.owner, repo: repo.repo, ref: sha, check_name: CHECK_NAME, filter: "latest", per_page: 100 }),
  );
  const newest = ours(data.check_runs as RunLike[])[0];
  if (!newest) return { record: emptyRecord(), latest: undefined };
  const latest: OwnCheckRun = { id: newest.id, externalId: newest.external_id, status: newest.status };

  const opened = openRecord(newest.output?.text, scope);
  if (opened.status === "ok") return { record: usable(opened.record, newest.id), latest };
  if (opened.status === "invalid") throw new CommitRecordError(`the record on check run ${newest.id} cannot be used: ${opened.reason}`);

  let pages = 0;
  const all = await step(`list every "${CHECK_NAME}" check run on ${sha.slice(0, 7)}`, () =>
    octokit.paginate(
      octokit.rest.checks.listForRef,
      { owner: repo.owner, repo: repo.repo, ref: sha, check_name: CHECK_NAME, filter: "all", per_page: 100 },
      (response, done) => {
        if (++pages >= MAX_RUN_PAGES) done();
        return response.data as RunLike[];
      },
    ),
  );
  for (const run of ours(all)) {
    const older = openRecord(run.output?.text, scope);
    if (older.status === "ok") return { record: usable(older.record, run.id), latest };
    if (older.status === "invalid") throw new CommitRecordError(`the record on check run ${run.id} cannot be used: ${older.reason}`);
  }
  return { record: emptyRecord(), latest };
}

/** A record that overflowed may have lost actors: nothing about the commit can be trusted to be complete. */
function usable(record: CommitRecord, runId: number): CommitRecord {
  if (record.overflow) throw new CommitRecordError(`the record on check run ${runId} is full: it may not name everyone who acted on this commit`);
  return record;
}
