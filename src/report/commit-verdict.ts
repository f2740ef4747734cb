import { worstConclusion, type CheckRunOutput, type Conclusion } from "./check-run-output.js";
import type { SubjectVerdict } from "./commit-record.js";
import { inert } from "./inert.js";
import { appendWithin, truncate } from "./markdown.js";

/** What is known of a commit's subjects when its verdict is posted. */
export interface CommitSubjects {
  /** The subjects judged by this event (they are current by definition). */
  judged: readonly SubjectVerdict[];
  /** The subjects the commit's record holds from earlier events. */
  recorded: readonly SubjectVerdict[];
  /** The open pull requests whose head is the commit, as GitHub lists them now. */
  openPulls: readonly number[];
}

/** One subject as the commit's verdict sees it. */
export interface CountedSubject extends SubjectVerdict {
  /** A pull request with this head that no event has judged yet: it holds the verdict back (fail closed). */
  pending?: boolean;
  /** Why a recorded subject does not count towards the verdict any more. */
  notCounted?: string;
}

export interface CommitVerdict {
  conclusion: Conclusion;
  /** The subjects that make up the verdict, worst first; then those recorded but not counted. */
  subjects: CountedSubject[];
  /** What the commit's record keeps of its subjects after this event. */
  record: SubjectVerdict[];
}

export function pullRequestKey(number: number): string {
  return `pr:${number}`;
}

export function pushKey(ref: string): string {
  return `push:${ref}`;
}

/**
 * The one verdict of a commit: the worst over every subject whose head it is.
 *
 * - Every open pull request with this head counts: with the verdict judged by
 *   this event, else the one on record, else as pending (`action_required`:
 *   not judged yet, so it cannot be passed).
 * - A push counts while no open pull request holds the commit; a push that
 *   was denied counts always. Step-ups are approved on pull requests, and a
 *   push judged against some other base says nothing a pull request's own
 *   judgement does not, except a deny, which no review can lift.
 * - A pull request on record that is no longer open with this head (closed,
 *   or its head moved on) no longer counts, and leaves the record.
 *
 * So a second pull request with the same head, or a push of the same head to
 * another branch, can add a worse verdict but never clear one.
 */
export function commitVerdict(input: CommitSubjects): CommitVerdict {
  const latest = new Map<string, SubjectVerdict>();
  for (const s of input.recorded) latest.set(s.key, s);
  for (const s of input.judged) latest.set(s.key, s);

  const openKeys = new Set([...input.openPulls.map(pullRequestKey), ...input.judged.filter((s) => isPull(s.key)).map((s) => s.key)]);
  const counted: CountedSubject[] = [];
  const notCounted: CountedSubject[] = [];
  for (const key of openKeys) counted.push(latest.get(key) ?? pendingPull(key));
  const pullsHold = openKeys.size > 0;
  for (const s of latest.values()) {
    if (isPull(s.key)) {
      if (!openKeys.has(s.key)) notCounted.push({ ...s, notCounted: "no longer an open pull request with this head" });
    } else if (!pullsHold || stickyPush(s)) {
      counted.push(s);
    } else {
      notCounted.push({ ...s, notCounted: "an open pull request with this head judges it" });
    }
  }
  counted.sort(worstFirst);
  const conclusion = counted.reduce<Conclusion>((acc, s) => worstConclusion(acc, s.conclusion), "success");
  const record = [...latest.values()].filter((s) => !isPull(s.key) || openKeys.has(s.key));
  return { conclusion, subjects: [...counted, ...notCounted], record };
}

/** A label for a subject key, inert however the branch is named: `pull request #2`, `push to \`branch\`` (`plain` for a title). */
export function subjectLabel(key: string, form: "code" | "plain" = "code"): string {
  if (isPull(key)) return `pull request #${key.slice(3)}`;
  const branch = key.slice("push:".length).replace(/^refs\/heads\//, "");
  return `push to ${inert(branch, form, 300)}`;
}

/**
 * The check run for the commit: the output of the subject this event judged,
 * with the commit's conclusion, a title naming the subject that decided it
 * when that is another one, and a table of every subject when there is more
 * than one.
 */
export function withCommitVerdict(output: CheckRunOutput, own: SubjectVerdict, verdict: CommitVerdict): CheckRunOutput {
  const decider = verdict.subjects.find((s) => !s.notCounted && s.conclusion === verdict.conclusion);
  const title =
    verdict.conclusion === output.conclusion || !decider
      ? output.title
      : decider.pending
        ? `Pending: ${subjectLabel(decider.key, "plain")} with this head has not been judged yet`
        : `${decider.title} (${subjectLabel(decider.key, "plain")} with this head)`;
  const summary = verdict.subjects.length > 1 || verdict.conclusion !== output.conclusion ? appendSubjects(output.summary, own, verdict) : output.summary;
  return { ...output, conclusion: verdict.conclusion, title: truncate(title, 200), summary };
}

const SUBJECTS_SHOWN = 30;
const SUMMARY_LIMIT = 64_000;

function appendSubjects(summary: string, own: SubjectVerdict, verdict: CommitVerdict): string {
  const lines = [
    summary,
    "",
    "#### This commit's verdict",
    "",
    "Branch protection reads one result per commit, so this check gives the worst over every pull request and push whose head is this commit.",
    "",
    "| Subject | Conclusion | Result |",
    "|---|---|---|",
  ];
  const rows = verdict.subjects.slice(0, SUBJECTS_SHOWN).map((s) => {
    const label = `${subjectLabel(s.key)}${s.key === own.key ? " (this evaluation)" : ""}`;
    const result = s.pending ? "not judged yet" : s.notCounted ? `not counted: ${s.notCounted} (was ${s.conclusion})` : s.title;
    return `| ${label} | ${s.notCounted ? "—" : s.conclusion} | ${inert(result, "text", 1_000)} |`;
  });
  const left = appendWithin(lines, SUMMARY_LIMIT, rows) + Math.max(0, verdict.subjects.length - SUBJECTS_SHOWN);
  if (left > 0) lines.push("", `… and ${left} more.`);
  return lines.join("\n");
}

function isPull(key: string): boolean {
  return key.startsWith("pr:");
}

/** A push's deny stays on the commit whatever else holds it. */
function stickyPush(s: SubjectVerdict): boolean {
  return s.verdict === "deny" && s.conclusion === "failure";
}

function pendingPull(key: string): CountedSubject {
  return { key, conclusion: "action_required", verdict: "step_up", title: "not judged yet", pending: true };
}

const RANK: Record<Conclusion, number> = { success: 0, neutral: 1, action_required: 2, failure: 3 };

function worstFirst(a: CountedSubject, b: CountedSubject): number {
  return RANK[b.conclusion] - RANK[a.conclusion] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
