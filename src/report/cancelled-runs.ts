import { inert } from "./inert.js";

/** A workflow run of an agent whose authority ended, and what the app did about it. */
export interface CancelledRun {
  id: number;
  /** The workflow file, `.github/workflows/ci.yml`. */
  workflow: string;
  /** The run's page, as GitHub gave it. */
  url: string;
  headSha: string;
  headBranch: string | null;
  /** `owner/name` of the repository holding the run's branch. */
  headRepository?: string;
  /** The workflow's name and the run's title and number, as GitHub shows them. */
  name?: string;
  title?: string;
  runNumber?: number;
  /** It was held for a deployment's approval: cancelling it ends the pending deployment. */
  waitingForDeployment: boolean;
  /** Why: the findings that ended the agent's authority (suspended, expired). */
  why: string;
  /** `cancelled`; `already_completed` (it finished first); `audit_mode` (recorded, not cancelled); `failed` (GitHub refused, `error` says why). */
  outcome: "cancelled" | "already_completed" | "audit_mode" | "failed";
  error?: string;
}

/** Where a check stands: an open pull request's head commit, branch and head repository. */
export interface CheckedHead {
  headSha: string;
  headRef?: string;
  headRepository?: string;
}

/**
 * The runs a pull request's check reports: those at its head commit, and
 * those on its head branch in its head repository (older commits of the same
 * work). A run that belongs to no open pull request is in the audit log only.
 */
export function runsOfPullRequest(runs: readonly CancelledRun[], head: CheckedHead): CancelledRun[] {
  return runs.filter((run) => {
    if (run.headSha.toLowerCase() === head.headSha.toLowerCase()) return true;
    if (!run.headBranch || !head.headRef || !run.headRepository || !head.headRepository) return false;
    return run.headBranch === head.headRef && run.headRepository.toLowerCase() === head.headRepository.toLowerCase();
  });
}

/** Runs listed in a check; the rest are counted (each is an audit record). */
const MAX_ROWS = 20;

const OUTCOME: Record<CancelledRun["outcome"], string> = {
  cancelled: "cancelled",
  already_completed: "had already finished",
  audit_mode: "not cancelled (audit mode: recorded only)",
  failed: "**cancelling failed**",
};

/** The summary's "Workflow runs cancelled" section: one line per run; empty when there is none. Every value from the run is inert. */
export function cancelledRunsSection(runs: readonly CancelledRun[] | undefined): string[] {
  if (!runs?.length) return [];
  const lines = ["", "#### Workflow runs cancelled", "", "The authority of the agent that started these runs has ended, so the app cancelled them:", ""];
  for (const run of runs.slice(0, MAX_ROWS)) {
    const number = run.runNumber !== undefined ? ` #${run.runNumber}` : "";
    const label = inert(`${run.name ? run.name.slice(0, 100) : "run"}${number}`);
    const link = trustedRunUrl(run) ? `[${label}](${run.url})` : label;
    const title = run.title ? ` “${inert(run.title, "text", 120)}”` : "";
    const where = run.headBranch ? ` on ${inert(run.headBranch, "code", 200)}` : "";
    const held = run.waitingForDeployment ? "; it was waiting for a deployment's approval, which now never goes out" : "";
    const failed = run.outcome === "failed" && run.error ? ` (${inert(run.error, "text", 300)})` : "";
    lines.push(
      `- ${link}${title} (run ${run.id}, ${inert(run.workflow, "code", 200)})${where} at ${inert(run.headSha.slice(0, 7), "code")}: ${OUTCOME[run.outcome]}${failed}${held}. ${inert(run.why, "text", 500)}`,
    );
  }
  if (runs.length > MAX_ROWS) lines.push(`- … and ${runs.length - MAX_ROWS} more runs (each is an audit record).`);
  return lines;
}

/** Only a link to GitHub's own page of this run: an https URL ending in `/actions/runs/<id>`, with nothing that could break out of the link. */
function trustedRunUrl(run: CancelledRun): boolean {
  return /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\/actions\/runs\/\d+$/.test(run.url) && run.url.endsWith(`/actions/runs/${run.id}`);
}
