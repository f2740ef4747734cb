import type { ChangedFile } from "../engine/types.js";
import { isActionFile, isWorkflowFile, type WorkflowChange, type WorkflowDocument, type WorkflowVersion } from "../engine/workflow-document.js";
import { parseWorkflow } from "./parse-workflow.js";

/** Changed workflow and action files read per change at most (two reads each); the rest are reported unread. */
export const MAX_WORKFLOW_CHANGES = 20;

export type WorkflowKind = WorkflowDocument["kind"];

export const workflowKindOf = (path: string): WorkflowKind | undefined => (isWorkflowFile(path) ? "workflow" : isActionFile(path) ? "action" : undefined);

/** A changed file whose new version is a workflow or action file (a removed one has none to read). */
export const isChangedWorkflowFile = (file: ChangedFile): boolean => file.status !== "removed" && workflowKindOf(file.path) !== undefined;

/** How a shell reads one version of a workflow or action file: from GitHub's API, or from git. */
export interface WorkflowVersionReader {
  base(path: string, kind: WorkflowKind): Promise<WorkflowVersion>;
  head(path: string, kind: WorkflowKind): Promise<WorkflowVersion>;
}

/**
 * Both versions of every changed workflow and action file, in path order,
 * read through `read`: the app and the CLI pair and bound them alike, so the
 * two shells decide alike. Beyond `MAX_WORKFLOW_CHANGES` files a change's
 * head is `unreadable` (the workflow-escalation rule denies it); a file added,
 * or renamed from a path that was not a file of the same kind, has no base.
 */
export async function readWorkflowChanges(files: readonly ChangedFile[], read: WorkflowVersionReader): Promise<WorkflowChange[]> {
  const changed = files.filter(isChangedWorkflowFile).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const changes: WorkflowChange[] = [];
  for (const [index, file] of changed.entries()) {
    const kind = workflowKindOf(file.path)!;
    if (index >= MAX_WORKFLOW_CHANGES) {
      const reason = `the change touches more than ${MAX_WORKFLOW_CHANGES} workflow and action files, and only the first ${MAX_WORKFLOW_CHANGES} are read`;
      changes.push({ path: file.path, base: { status: "absent" }, head: { status: "unreadable", reason } });
      continue;
    }
    const previous = file.previousPath ?? file.path;
    const hasBase = file.status !== "added" && workflowKindOf(previous) === kind;
    changes.push({
      path: file.path,
      ...(file.previousPath ? { previousPath: file.previousPath } : {}),
      base: hasBase ? await read.base(previous, kind) : { status: "absent" },
      head: await read.head(file.path, kind),
    });
  }
  return changes;
}

/** A version's text parsed, or `unreadable` with the parser's reason and place. */
export function parsedVersion(text: string, kind: WorkflowKind): WorkflowVersion {
  const parsed = parseWorkflow(text, kind);
  if (parsed.ok) return { status: "parsed", document: parsed.document };
  return { status: "unreadable", reason: parsed.reason, ...(parsed.at ? { at: parsed.at } : {}) };
}
