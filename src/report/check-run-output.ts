import type { Decision, Finding, Verdict } from "../engine/types.js";
import type { PolicyIssue } from "../policy/parse-policy.js";
import type { ReviewRequestResult } from "../github/request-step-up-reviews.js";
import { inert } from "./inert.js";
import { grantSection, type GrantReport } from "./grant-summary.js";
import { cancelledRunsSection, type CancelledRun } from "./cancelled-runs.js";
import { appendWithin, truncate } from "./markdown.js";

export const CHECK_NAME = "Agent Policy";

/** The check run's "Re-evaluate" button (GitHub limits: label 20, description 40, identifier 20 characters). */
export const RE_EVALUATE_ACTION = { label: "Re-evaluate", description: "Evaluate the agent policy again", identifier: "re-evaluate" } as const;

export type Conclusion = "success" | "neutral" | "action_required" | "failure";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckRunOutput {
  conclusion: Conclusion;
  title: string;
  summary: string;
  /** The check's details text; carries the commit's sealed record (an HTML comment, not shown). */
  text?: string;
  annotations: Annotation[];
}

/** Where the policy came from, for the summary and the audit record. */
export interface PolicySource {
  source: "repository" | "built-in";
  path: string;
  ref: string;
  sha?: string;
  /** The org baseline the repository policy was merged onto, when there is one. */
  baseline?: BaselineSource;
  /** Keys of the repository policy that would widen the baseline (the baseline's value applies), placed in its file. */
  widenings?: PolicyIssue[];
}

/** Where the org baseline came from: `.agent-policy.yml` in the org's `.github` repository. */
export interface BaselineSource {
  /** `owner/.github`, or a local file's name. */
  repository: string;
  path: string;
  ref: string;
  sha?: string;
}

/** Everything one evaluation produced that the check run reports. */
export interface CheckReport {
  policy: PolicySource;
  /** The evaluation; absent when it could not run (invalid policy, unavailable facts). */
  decision?: Decision;
  /** The governing policy failed validation: fail closed. */
  policyIssues?: PolicyIssue[];
  /** The PR's own new version of the policy file failed validation. */
  proposedPolicyIssues?: PolicyIssue[];
  /** The PR deletes the policy file. */
  proposedPolicyRemoved?: boolean;
  /** Facts could not be gathered: fail closed with this reason. */
  error?: string;
  /** Every path the change touched (both sides of renames), for the audit record. */
  changedPaths?: string[];
  /** What asking the step-up approvers for review did. */
  reviewRequest?: ReviewRequestResult;
  /** What was judged, when it is not a pull request (e.g. a push): one Markdown line under the policy line. */
  subject?: string;
  /** The pull request's task-scoped grants, when they were read. */
  grants?: GrantReport;
  /** Workflow runs of this pull request that were cancelled because their agent's authority ended (reported once, by the re-evaluation that follows). */
  cancelledRuns?: readonly CancelledRun[];
}

/**
 * GitHub accepts at most 50 annotations per create or update call. A check run
 * is posted with one call, so that is also how many it carries: every further
 * update would be one more write in the installation's rate-limited queue
 * (about a second each). The summary says how many were left out; the
 * findings table and the audit record hold them all.
 */
export const MAX_ANNOTATIONS = 50;

// GitHub's documented limits: 65535 characters for summary and text; we keep a margin.
const SUMMARY_BUDGET = 60_000;
const ANNOTATION_MESSAGE_MAX = 4_000;
/** One finding's explanation, one agent's evidence, one path: a single event must not fill the summary alone. */
const MESSAGE_MAX = 2_000;
const EVIDENCE_MAX = 4_000;
const PATH_MAX = 1_000;
/** Distinct remedies shown under "How to fix". */
const MAX_REMEDIES = 20;
const TITLE_MAX = 200;

const CONCLUSION_RANK: Record<Conclusion, number> = { success: 0, neutral: 1, action_required: 2, failure: 3 };

export function worstConclusion(a: Conclusion, b: Conclusion): Conclusion {
  return CONCLUSION_RANK[b] > CONCLUSION_RANK[a] ? b : a;
}

const VERDICT_LABEL: Record<Verdict, string> = { allow: "allow", step_up: "step-up", deny: "deny" };

/** Maps a decision to the check-run conclusion (SPEC §4). */
export function conclusionOf(decision: Decision): Conclusion {
  if (decision.verdict === "allow") return "success";
  if (decision.mode === "audit") return "neutral";
  return decision.verdict === "deny" ? "failure" : "action_required";
}

export function renderCheckRun(report: CheckReport): CheckRunOutput {
  const { decision } = report;
  let conclusion: Conclusion;
  let title: string;
  if (report.error) {
    conclusion = "failure";
    title = "Could not verify this change: failing closed";
  } else if (report.policyIssues?.length) {
    conclusion = "failure";
    const what = report.policy.baseline && report.policyIssues.every((i) => i.path !== report.policy.path) ? `Org baseline in ${report.policy.baseline.repository}` : report.policy.path;
    title = `${what} is invalid (${plural(report.policyIssues.length, "problem")}): failing closed`;
  } else if (decision) {
    conclusion = conclusionOf(decision);
    title = decisionTitle(decision);
  } else {
    conclusion = "failure";
    title = "No decision was made: failing closed";
  }
  if (report.proposedPolicyIssues?.length) {
    conclusion = worstConclusion(conclusion, "failure");
    title = `${title}; the proposed ${report.policy.path} is invalid (${plural(report.proposedPolicyIssues.length, "problem")})`;
  }

  const { annotations, omitted } = annotationsOf(report);
  const summary = renderSummary(report, title);
  return {
    conclusion,
    title: truncate(title, TITLE_MAX),
    summary: omitted > 0 ? `${summary}\n\n_The first ${MAX_ANNOTATIONS} annotations are shown at their files; ${omitted} more are not (GitHub takes ${MAX_ANNOTATIONS} per check run). The findings table above and the audit record list the findings._` : summary,
    annotations,
  };
}

/** At most MAX_ANNOTATIONS, built one by one: policy errors first, then path findings in finding order. */
function annotationsOf(report: CheckReport): { annotations: Annotation[]; omitted: number } {
  const annotations: Annotation[] = [];
  let omitted = 0;
  const add = (make: () => Annotation) => {
    if (annotations.length < MAX_ANNOTATIONS) annotations.push(make());
    else omitted += 1;
  };
  // A baseline's problems are in another repository: they are listed in the summary, never annotated here.
  for (const issue of report.policyIssues ?? []) if (issue.path === report.policy.path) add(() => issueAnnotation(issue, "Policy error"));
  for (const issue of report.policy.widenings ?? []) add(() => wideningAnnotation(issue));
  for (const issue of report.proposedPolicyIssues ?? []) add(() => issueAnnotation(issue, "Proposed policy error"));
  const { decision } = report;
  for (const finding of decision?.findings ?? []) if (finding.asset.kind === "path") add(() => findingAnnotation(finding, decision!));
  return { annotations, omitted };
}

/** The title of a check that found no assistant activity at all (the re-evaluation after a policy change skips those). */
export const NO_AGENT_TITLE = "Compliant: no AI assistant activity";

/** The check run's title for a decision, e.g. `Denied: 3 findings for devin`. */
export function decisionTitle(decision: Decision): string {
  if (!decision.agentActivity && decision.findings.length === 0) return NO_AGENT_TITLE;
  const agents = decision.agents.map((a) => a.key).join(", ");
  const counted = plural(decision.findings.filter((f) => f.verdict === decision.verdict).length, "finding");
  const prefix = decision.mode === "audit" && decision.verdict !== "allow" ? "Audit mode (not blocking): would " : "";
  switch (decision.verdict) {
    case "allow":
      return decision.stepUps.length > 0 ? `Approved: step-up review satisfied for ${agents}` : `Compliant: ${agents} stayed within policy`;
    case "step_up":
      return `${prefix ? prefix + "require" : "Requires"} step-up review: ${counted} for ${agents}`;
    case "deny":
      return `${prefix ? prefix + "deny" : "Denied"}: ${counted} for ${agents || "this change"}`;
  }
}

function renderSummary(report: CheckReport, title: string): string {
  const lines: string[] = [`### ${title}`, "", policyLine(report), ""];
  if (report.subject) lines.push(`**Change:** ${report.subject}`, "");
  if (report.error) {
    lines.push(`**Error:** ${inert(report.error)}`, "", "The check fails closed until the facts can be gathered. Re-run it once GitHub answers again.");
  }
  if (report.policyIssues?.length) {
    lines.push(`The policy that governs this repository does not validate, so nothing can be judged against it:`, "");
    appendIssues(lines, report.policy.path, report.policyIssues);
  }
  if (report.policy.widenings?.length) {
    lines.push("", `${inert(report.policy.path, "code")} would widen the org baseline at these keys; the baseline's values apply:`, "");
    appendIssues(lines, report.policy.path, report.policy.widenings);
  }
  if (report.proposedPolicyIssues?.length) {
    lines.push("", `This pull request changes ${inert(report.policy.path, "code")}, and the new version does not validate:`, "");
    appendIssues(lines, report.policy.path, report.proposedPolicyIssues);
  } else if (report.proposedPolicyRemoved) {
    lines.push("", `> **Note:** this pull request deletes ${inert(report.policy.path, "code")}. Once merged, the repository falls back to audit mode with the built-in rules.`);
  }
  const decision = report.decision;
  if (decision) appendDecision(lines, decision, report.reviewRequest);
  lines.push(...cancelledRunsSection(report.cancelledRuns));
  lines.push(...grantSection(report.grants));
  return lines.join("\n").replace(/\n{3,}/g, "\n\n");
}

function policyLine(report: CheckReport): string {
  const p = report.policy;
  const mode = report.decision ? ` · **Mode:** ${report.decision.mode}` : "";
  if (p.baseline) {
    const own =
      p.source === "built-in"
        ? `no ${inert(p.path, "code")} on ${inert(p.ref, "code")}, so the org baseline alone`
        : `${inert(p.path, "code")} on ${inert(p.ref, "code")}${p.sha ? ` (blob ${inert(p.sha.slice(0, 12), "code")})` : ""}`;
    const b = p.baseline;
    return `**Policy:** ${own} · **Org baseline:** ${inert(b.path, "code")} in ${inert(b.repository, "code")}${b.sha ? ` (blob ${inert(b.sha.slice(0, 12), "code")})` : ""}${mode}`;
  }
  if (p.source === "built-in") {
    return `**Policy:** none found — no ${inert(p.path, "code")} on ${inert(p.ref, "code")}. Running in **audit mode with the built-in rules**: findings are reported, nothing is blocked. Add a policy to enforce.`;
  }
  return `**Policy:** ${inert(p.path, "code")} on ${inert(p.ref, "code")}${p.sha ? ` (blob ${inert(p.sha.slice(0, 12), "code")})` : ""}${mode}`;
}

function appendIssues(lines: string[], path: string, issues: readonly PolicyIssue[]): void {
  lines.push("| Where | Problem |", "|---|---|");
  const left = appendWithin(lines, SUMMARY_BUDGET / 2, issues, (i) => `| ${inert(`${i.path === "" ? path : i.path}:${i.line}:${i.column}`, "code")} | ${inert(i.message)} |`);
  if (left) lines.push(`| … | ${left} more problems |`);
}

function appendDecision(lines: string[], decision: Decision, reviewRequest: ReviewRequestResult | undefined): void {
  if (decision.agents.length > 0) {
    lines.push("", "#### AI assistant activity", "", "| Agent | Owner | Registered | Evidence |", "|---|---|---|---|");
    appendWithin(
      lines,
      SUMMARY_BUDGET / 4,
      decision.agents,
      (a) => `| ${inert(a.key, "code")} | ${a.owner ?? "—"} | ${a.declared ? "yes" : "**no**"} | ${inert(a.evidence.map((e) => e.detail).join("; "), "text", EVIDENCE_MAX)} |`,
    );
  } else {
    lines.push("", "No AI assistant took part in this change (author, sender, commit authors, committers and trailers checked).");
  }
  if (decision.findings.length > 0) {
    lines.push("", "#### Findings", "", "| Verdict | Rule | Agent | Owner | Asset | Explanation |", "|---|---|---|---|---|---|");
    const left = appendWithin(
      lines,
      SUMMARY_BUDGET * 0.8,
      decision.findings,
      (f) =>
        `| ${VERDICT_LABEL[f.verdict]} | ${inert(f.ruleId, "code")} | ${f.agent ? inert(f.agent) : "—"} | ${f.owner ?? "—"} | ${assetCell(f)} | ${inert(f.message, "text", MESSAGE_MAX)} |`,
    );
    if (left) lines.push("", `… and ${plural(left, "more finding")} not shown here (see the annotations and the audit log).`);
  }
  if (decision.stepUps.length > 0) appendStepUps(lines, decision, reviewRequest);
  const remedies = new Set<string>();
  for (const f of decision.findings) {
    if (f.remedy) remedies.add(f.remedy);
    if (remedies.size === MAX_REMEDIES) break;
  }
  if (remedies.size > 0) {
    lines.push("", "#### How to fix", "");
    const blocks = [...remedies].flatMap((r) => [fenceFor(r) + "yaml", r, fenceFor(r), ""]);
    appendWithin(lines, SUMMARY_BUDGET, blocks);
  }
}

function appendStepUps(lines: string[], decision: Decision, reviewRequest: ReviewRequestResult | undefined): void {
  const statuses = new Map((decision.stepUpStatus ?? []).map((s) => [s.name, s]));
  lines.push("", "#### Step-up reviews", "", "| Step-up | Who may approve | Approved by (at this commit) | Still needed | Paths |", "|---|---|---|---|---|");
  const notes: string[] = [];
  const logins = (list: readonly string[]) => list.map((l) => inert(`@${l}`)).join(", ");
  const rows = decision.stepUps.map((req) => {
    const status = statuses.get(req.name);
    const name = inert(req.name, "code");
    // Approvers come from the validated policy: they stay live mentions.
    const approvers = [...req.users.map((u) => `@${u}`), ...req.teams.map((t) => `@${t}`)].join(", ") || "nobody eligible";
    const approvedBy = status?.approvedBy.length ? logins(status.approvedBy) : "nobody yet";
    let needed = status ? (status.satisfied ? "satisfied" : `${status.missing} of ${status.required}`) : `${req.count} of ${req.count}`;
    if (status?.changesRequestedBy.length) needed += ` (changes requested by ${logins(status.changesRequestedBy)})`;
    for (const e of status?.teamErrors ?? []) notes.push(`${name}: ${inert(e)} — its members cannot approve until this is fixed.`);
    const ignored = status?.ignored ?? [];
    if (ignored.length) notes.push(`${name}: not counted: ${ignored.map((i) => `${inert(`@${i.login}`)} (${inert(i.reason)})`).join(", ")}.`);
    const paths = req.paths.slice(0, 10).map((p) => inert(p, "code")).join(", ") + (req.paths.length > 10 ? ` (+${req.paths.length - 10})` : "");
    return `| ${name} | ${approvers} | ${approvedBy} | ${needed} | ${paths} |`;
  });
  appendWithin(lines, SUMMARY_BUDGET * 0.85, rows);
  const unresolved = decision.stepUpStatus?.[0]?.unresolved ?? [];
  if (unresolved.length) {
    const shown = unresolved.slice(0, 10).join("; ") + (unresolved.length > 10 ? `; and ${unresolved.length - 10} more` : "");
    notes.push(`Not resolved to a GitHub account, so each could be one of the approvers and adds one required approval to every step-up: ${inert(shown)}.`);
  }
  if (reviewRequest) {
    const asked = [...reviewRequest.requestedUsers.map((u) => `@${u}`), ...reviewRequest.requestedTeams.map((t) => `team ${t}`)];
    if (asked.length) notes.push(`Review requested from ${inert(asked.join(", "))}.`);
    if (reviewRequest.skipped.length) notes.push(`Not asked: ${inert(reviewRequest.skipped.join(", "))}.`);
    if (reviewRequest.error) notes.push(`Requesting reviews failed: ${inert(reviewRequest.error)}. Ask the approvers directly.`);
  }
  if (notes.length) appendWithin(lines, SUMMARY_BUDGET * 0.9, ["", ...notes.map((n) => `- ${n}`)]);
  lines.push("", "Only approving reviews at the current head commit count; agents, bots, the PR author, whoever pushed its commits and the commits' authors, committers and co-authors cannot approve. A new push needs new approvals; a deny finding can never be approved away.");
}

function assetCell(f: Finding): string {
  const renamed = f.asset.previousPath ? ` (rename with ${inert(f.asset.previousPath, "code", PATH_MAX)})` : "";
  return `${f.asset.kind} ${inert(f.asset.value, "code", PATH_MAX)}${renamed}`;
}

function findingAnnotation(f: Finding, decision: Decision): Annotation {
  const level = f.verdict === "deny" && decision.mode === "enforce" ? "failure" : f.verdict === "allow" ? "notice" : "warning";
  const line = f.line ?? 1;
  const text = f.remedy ? `${inert(f.message, "plain")}\n\n${f.remedy.split("\n").map((l) => inert(l, "plain")).join("\n")}` : inert(f.message, "plain");
  return {
    path: f.asset.value,
    start_line: line,
    end_line: line,
    annotation_level: level,
    title: `${f.ruleId} (${VERDICT_LABEL[f.verdict]})`,
    message: truncate(text, ANNOTATION_MESSAGE_MAX),
  };
}

function wideningAnnotation(issue: PolicyIssue): Annotation {
  return { ...issueAnnotation(issue, "widens the org baseline"), annotation_level: "warning", title: "baseline-widening: this key would widen the org baseline" };
}

function issueAnnotation(issue: PolicyIssue, title: string): Annotation {
  const endLine = issue.endLine ?? issue.line;
  const annotation: Annotation = {
    path: issue.path,
    start_line: issue.line,
    end_line: endLine,
    annotation_level: "failure",
    title: `policy-invalid: ${title}`,
    message: inert(issue.message, "plain", ANNOTATION_MESSAGE_MAX),
  };
  // GitHub accepts columns only on single-line annotations.
  if (endLine === issue.line) {
    annotation.start_column = issue.column;
    annotation.end_column = Math.max(issue.column, issue.endLine === issue.line && issue.endColumn ? issue.endColumn : issue.column);
  }
  return annotation;
}

/** A code fence longer than any backtick run in `block`, so the block cannot end early. */
function fenceFor(block: string): string {
  let longest = 0;
  for (const run of block.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
