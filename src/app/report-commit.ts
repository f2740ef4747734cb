import type { Logger } from "probot";
import type { Actor } from "../engine/types.js";
import { readCommitState, type CommitState } from "../github/commit-state.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { openPullRequestsAt } from "../github/open-pull-requests-at.js";
import { publishCheckRun, type PublishedCheckRun } from "../github/publish-check-run.js";
import { renderCheckRun, type CheckReport, type CheckRunOutput } from "../report/check-run-output.js";
import { boundedRecord, openRecord, recordActors, sealRecord, type RecordedActor, type ReviewApprovers, type SubjectVerdict } from "../report/commit-record.js";
import { commitVerdict, withCommitVerdict, type CommitVerdict } from "../report/commit-verdict.js";
import { inert } from "../report/inert.js";
import { truncate } from "../report/markdown.js";
import type { AppDependencies } from "./dependencies.js";
import { failureReason } from "./failure-reason.js";
import { commitKey } from "./keyed-mutex.js";
import { readCommitRecord } from "../github/commit-state.js";
import type { RememberedRecord } from "./commit-record-memory.js";

/** One subject judged by this event: a pull request or a push whose head is the commit. */
export interface JudgedSubject {
  /** `pr:<number>` or `push:<ref>` (see commit-verdict.ts). */
  key: string;
  report: CheckReport;
  /** This event's actors, of which the senders and pushers go on the commit's record. */
  actors: readonly Actor[];
  /** Who could change the subject's verdict by reviewing (see `SubjectVerdict.approvers`); unknown when absent. */
  approvers?: ReviewApprovers;
}

export interface CommitReportInput {
  repo: RepoRef;
  headSha: string;
  detailsUrl?: string;
  subject: JudgedSubject;
  /** The commit's state as the evaluation read it; read here when the evaluation did not get that far. */
  state?: CommitState;
  /** The commit's record, when the evaluation read it but not the commit's open pull requests: only those are read here. */
  recorded?: Omit<CommitState, "openPulls">;
  /** Actors carried over from the commit this one replaced (a pull request's previous head). */
  carried?: readonly RecordedActor[];
  /** The pull request moved on (or closed) while it was judged: where to. The result is posted marked as not its current one. */
  supersededBy?: string;
}

/** What was posted for the commit (or would have been, when posting failed). */
export interface CommitReport {
  /** The subject's report, with any failure to read the commit's record added (fail closed). */
  report: CheckReport;
  output: CheckRunOutput;
  verdict?: CommitVerdict;
  published?: PublishedCheckRun;
  /** Posting the check run failed; the caller audits, then lets the delivery fail. */
  postError?: { message: string; cause: unknown };
}

/**
 * Posts the commit's one verdict: the judged subject combined with every
 * other subject whose head is the commit (see `commitVerdict`), carrying the
 * commit's record forward — earlier actors, this event's senders and
 * pushers, the subjects' verdicts — sealed in the check run's text.
 *
 * Fails closed: when the commit's record or pull requests cannot be read,
 * the check is a `failure` that says why, posted without a record (the next
 * evaluation looks past it to the last run that has one); a record too full
 * to hold everything is a `failure` too.
 */
export async function reportCommit(octokit: Octokit, log: Logger, deps: AppDependencies, input: CommitReportInput): Promise<CommitReport> {
  let report = input.subject.report;
  let state = input.state;
  if (!state) {
    try {
      state = input.recorded
        ? { ...input.recorded, openPulls: await openPullRequestsAt(octokit, input.repo, input.headSha) }
        : await readCommitState(octokit, input.repo, input.headSha, recordOptions(deps));
    } catch (error) {
      log.error({ err: error }, "could not read the commit's record; failing closed");
      report = withError(report, failureReason(error));
    }
  }

  let output: CheckRunOutput;
  let verdict: CommitVerdict | undefined;
  if (state) {
    let rendered = renderCheckRun(report);
    let own = subjectVerdict(input.subject.key, report, rendered, input.subject.approvers);
    verdict = commitVerdict({ judged: [own], recorded: state.record.subjects, openPulls: state.openPulls });
    const record = boundedRecord({
      actors: recordActors([...state.record.actors, ...(input.carried ?? [])], input.subject.actors),
      subjects: verdict.record,
    });
    if (record.overflow) {
      report = withError(report, "this commit's record is full (too many actors or subjects share it); every evaluation of it fails closed");
      rendered = renderCheckRun(report);
      own = subjectVerdict(input.subject.key, report, rendered, input.subject.approvers);
      verdict = commitVerdict({ judged: [own], recorded: state.record.subjects, openPulls: state.openPulls });
    }
    const text = sealRecord(record, { repo: `${input.repo.owner}/${input.repo.repo}`, sha: input.headSha, key: deps.incidentKey });
    output = { ...withCommitVerdict(rendered, own, verdict), text };
  } else {
    output = renderCheckRun(report);
  }
  if (input.supersededBy) output = superseded(output, input.supersededBy);

  const key = commitKey(input.repo, input.headSha);
  try {
    const published = await publishCheckRun(octokit, input.repo, {
      headSha: input.headSha,
      output,
      completedAt: deps.clock(),
      latest: state?.latest,
      ...(input.detailsUrl ? { detailsUrl: input.detailsUrl } : {}),
    });
    const posted = postedRecord(input, deps, output, published);
    if (posted) deps.commitRecords?.remember(key, posted);
    else deps.commitRecords?.forget(key);
    return { report, output, ...(verdict ? { verdict } : {}), published };
  } catch (cause) {
    // The run may have been created before the failure: the next evaluation reads what GitHub holds.
    deps.commitRecords?.forget(key);
    return { report, output, ...(verdict ? { verdict } : {}), postError: { message: failureReason(cause), cause } };
  }
}

/**
 * The commit's record as the next read of its runs would find it now that
 * `published` is the newest: what the run's text opens to. None when the run
 * carries no record, or a full one (the read then looks further, or fails closed).
 */
function postedRecord(input: CommitReportInput, deps: AppDependencies, output: CheckRunOutput, published: PublishedCheckRun): RememberedRecord | undefined {
  const opened = openRecord(output.text, { repo: `${input.repo.owner}/${input.repo.repo}`, sha: input.headSha, key: deps.incidentKey });
  if (opened.status !== "ok" || opened.record.overflow) return undefined;
  return { record: opened.record, latest: { id: published.id, externalId: `agent-policy:${published.digest}`, status: "completed" } };
}

/**
 * The commit's record: as this process last posted it when it remembers
 * that (see `CommitRecordMemory`), else read from the app's runs on GitHub.
 * Call it under the commit's lock.
 */
export async function commitRecordOf(octokit: Octokit, deps: AppDependencies, repo: RepoRef, sha: string): Promise<Omit<CommitState, "openPulls">> {
  const remembered = deps.commitRecords?.get(commitKey(repo, sha));
  if (remembered) return remembered;
  return readCommitRecord(octokit, repo, sha, recordOptions(deps));
}

/** How the app finds and seals its records: its own id, and the webhook secret. */
export function recordOptions(deps: AppDependencies): { appId?: number; key: string } {
  return { ...(deps.appId ? { appId: deps.appId } : {}), key: deps.incidentKey };
}

/** The subject's own verdict, as the commit's record keeps it; a subject that could not be judged keeps no approvers (any review is then evaluated). */
export function subjectVerdict(key: string, report: CheckReport, output: CheckRunOutput, approvers?: ReviewApprovers): SubjectVerdict {
  const failed = Boolean(report.error || report.policyIssues?.length || !report.decision);
  return {
    key,
    conclusion: output.conclusion,
    verdict: failed ? "error" : report.decision!.verdict,
    title: output.title.slice(0, 160),
    ...(approvers && !failed ? { approvers } : {}),
  };
}

/** The result for this commit of a subject that has moved on: said in the title and first in the summary. */
function superseded(output: CheckRunOutput, movedTo: string): CheckRunOutput {
  const note = `Superseded: the pull request moved on to ${inert(movedTo, "code", 100)} while this commit was judged; this is the result for this commit, not the pull request's current one.`;
  return { ...output, title: truncate(`Superseded: ${output.title}`, 200), summary: `> ${note}\n\n${output.summary}` };
}

function withError(report: CheckReport, reason: string): CheckReport {
  return { ...report, error: report.error ? `${report.error}; ${reason}` : reason };
}
