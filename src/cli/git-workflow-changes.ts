import type { ChangedFile } from "../engine/types.js";
import { isActionFile, isWorkflowFile, type WorkflowChange, type WorkflowVersion } from "../engine/workflow-document.js";
import { MAX_WORKFLOW_CHANGES } from "../github/workflow-changes.js";
import { parseWorkflow } from "../workflow/parse-workflow.js";
import { WORKFLOW_YAML_LIMITS } from "../workflow/read-workflow-yaml.js";
import type { Git } from "./git.js";

type Kind = "workflow" | "action";

const kindOf = (path: string): Kind | undefined => (isWorkflowFile(path) ? "workflow" : isActionFile(path) ? "action" : undefined);

/**
 * Both versions of every changed workflow and action file, read from git —
 * `base` at the merge base, `head` at the head commit — and parsed as the app
 * parses what GitHub's API returns (see github/workflow-changes.ts, whose
 * bound on the files read it keeps, so the two shells decide alike). A
 * version that is not a regular file, is over the size limit or does not
 * parse is `unreadable`: the workflow-escalation rule denies it.
 */
export async function gitWorkflowChanges(git: Git, files: readonly ChangedFile[], base: string, head: string): Promise<WorkflowChange[]> {
  const changed = files
    .filter((f) => f.status !== "removed" && kindOf(f.path) !== undefined)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const changes: WorkflowChange[] = [];
  for (const [index, file] of changed.entries()) {
    const kind = kindOf(file.path)!;
    if (index >= MAX_WORKFLOW_CHANGES) {
      const reason = `the change touches more than ${MAX_WORKFLOW_CHANGES} workflow and action files, and only the first ${MAX_WORKFLOW_CHANGES} are read`;
      changes.push({ path: file.path, base: { status: "absent" }, head: { status: "unreadable", reason } });
      continue;
    }
    const previous = file.previousPath ?? file.path;
    const hasBase = file.status !== "added" && kindOf(previous) === kind;
    changes.push({
      path: file.path,
      ...(file.previousPath ? { previousPath: file.previousPath } : {}),
      base: hasBase ? await readVersion(git, base, previous, kind) : { status: "absent" },
      head: await readVersion(git, head, file.path, kind),
    });
  }
  return changes;
}

async function readVersion(git: Git, commit: string, path: string, kind: Kind): Promise<WorkflowVersion> {
  const where = `${path} at ${commit.slice(0, 7)}`;
  const listed = /^(\d{6}) (\w+) ([0-9a-f]+)\t/.exec(await git.text(["ls-tree", "-z", commit, "--", path]));
  if (!listed || (listed[1] !== "100644" && listed[1] !== "100755")) return { status: "unreadable", reason: `${where} is not a regular file` };
  const sha = listed[3]!;
  const size = Number((await git.text(["cat-file", "-s", sha])).trim());
  if (size > WORKFLOW_YAML_LIMITS.maxBytes) return { status: "unreadable", reason: `${where} is ${size} bytes; the limit is ${WORKFLOW_YAML_LIMITS.maxBytes}` };
  const parsed = parseWorkflow((await git.bytes(["cat-file", "blob", sha])).toString("utf8"), kind);
  if (parsed.ok) return { status: "parsed", document: parsed.document };
  return { status: "unreadable", reason: parsed.reason, ...(parsed.at ? { at: parsed.at } : {}) };
}
