import { agentFields, agentLabel } from "./describe.js";
import type { AgentActivity, Finding } from "./types.js";

/** How a file or action a run uses compares with the default branch's. */
export type SourceStatus = "same" | "modified" | "added" | "unverifiable";

/** One thing a workflow run executes from the repository: its workflow file, a reusable workflow it calls, or a local action. */
export interface WorkflowSource {
  kind: "workflow" | "reusable-workflow" | "action";
  /** The workflow file, or the action's directory (`.github/actions/build`). */
  path: string;
  /** The workflow or action that names it; absent for the run's own workflow. */
  calledFrom?: string;
  status: SourceStatus;
  /** Why an `unverifiable` source could not be compared. */
  reason?: string;
}

/** Remote actions and reusable workflows (`owner/repo@ref`) a differing file names, against the default branch's version of it. */
export interface RemoteReferenceChange {
  file: string;
  added: string[];
  removed: string[];
  /** Set when the default branch's version could not be read to compare. */
  error?: string;
}

/** What the shell found when it compared a run's sources at its commit with the default branch. */
export interface WorkflowRunSources {
  headSha: string;
  defaultBranch: string;
  /** Every source inspected, the run's workflow first. */
  sources: WorkflowSource[];
  remoteChanges: RemoteReferenceChange[];
  /** The open pull request at `headSha` whose approved step-up covers every differing source, if there is one. */
  approvedBy?: { pullRequest: number; approvers: string[] };
}

export const WORKFLOW_MODIFIED_DESCRIPTION =
  "An AI assistant triggers a run whose workflow file, reusable workflows or local actions differ at the run's commit from the default branch's, and no pull request at that commit has the change's step-up approved: deny (the run is cancelled).";

/**
 * One `workflow-modified` finding per source that differs from the default
 * branch (changed or added) unless the change was approved, and per source
 * that could not be compared (fail closed: an approval cannot vouch for what
 * nobody could read).
 */
export function workflowModifiedFindings(agent: AgentActivity, workflowPath: string, facts: WorkflowRunSources): Finding[] {
  const at = `${workflowPath} at ${facts.headSha.slice(0, 7)}`;
  return facts.sources.flatMap((source): Finding[] => {
    if (source.status === "same") return [];
    if (source.status !== "unverifiable" && facts.approvedBy) return [];
    const what = describeSource(source);
    const remote = remoteSentence(facts.remoteChanges.find((c) => c.file === source.path));
    const base = {
      ruleId: "workflow-modified",
      verdict: "deny",
      asset: { kind: source.kind === "action" ? "path" : "workflow", value: source.path },
      ...agentFields(agent),
    } as const;
    if (source.status === "unverifiable") {
      return [
        {
          ...base,
          message: `${agentLabel(agent)} triggered ${at}, but ${what} could not be compared with the default branch (${facts.defaultBranch}): ${source.reason ?? "unknown reason"}; failing closed.`,
          remedy: "Re-run the workflow once GitHub can be read; if it keeps failing, have a person start the run.",
        },
      ];
    }
    const difference = source.status === "added" ? "does not exist on the default branch" : "differs from the default branch's";
    return [
      {
        ...base,
        message: `${agentLabel(agent)} triggered ${at}, but ${what} ${difference} (${facts.defaultBranch}): the run would execute steps the default branch does not define, with the repository's secrets.${remote}`,
        remedy:
          "Merge the change into the default branch first, or run it from an open pull request at this commit whose step-up review " +
          `(${agent.owner ?? "the agent's owner"}) is approved; then re-run the workflow.`,
      },
    ];
  });
}

function describeSource(source: WorkflowSource): string {
  if (source.kind === "workflow") return "its workflow file";
  const by = source.calledFrom ? ` (used by ${source.calledFrom})` : "";
  return source.kind === "action" ? `the local action ./${source.path}${by}` : `the reusable workflow ./${source.path}${by}`;
}

function remoteSentence(change: RemoteReferenceChange | undefined): string {
  if (!change) return "";
  if (change.error) return ` Its remote actions could not be compared: ${change.error}.`;
  const parts = [
    ...(change.added.length ? [`now uses ${change.added.join(", ")}`] : []),
    ...(change.removed.length ? [`no longer uses ${change.removed.join(", ")}`] : []),
  ];
  return parts.length ? ` Remote actions changed: it ${parts.join("; it ")}.` : "";
}
