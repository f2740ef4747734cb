import type { ChangedFile } from "../engine/types.js";
import type { WorkflowChange, WorkflowVersion } from "../engine/workflow-document.js";
import { parsedVersion, readWorkflowChanges, type WorkflowKind } from "../workflow/changed-workflows.js";
import { WORKFLOW_YAML_LIMITS } from "../workflow/read-workflow-yaml.js";
import type { Git } from "./git.js";

/**
 * Both versions of every changed workflow and action file, read from git —
 * `base` at the merge base, `head` at the head commit — and parsed as the app
 * parses what GitHub's API returns (see github/workflow-changes.ts, whose
 * bound on the files read it keeps, so the two shells decide alike). A
 * version that is not a regular file, is over the size limit or does not
 * parse is `unreadable`: the workflow-escalation rule denies it.
 */
export async function gitWorkflowChanges(git: Git, files: readonly ChangedFile[], base: string, head: string): Promise<WorkflowChange[]> {
  return readWorkflowChanges(files, {
    base: (path, kind) => readVersion(git, base, path, kind),
    head: (path, kind) => readVersion(git, head, path, kind),
  });
}

async function readVersion(git: Git, commit: string, path: string, kind: WorkflowKind): Promise<WorkflowVersion> {
  const where = `${path} at ${commit.slice(0, 7)}`;
  const listed = /^(\d{6}) (\w+) ([0-9a-f]+)\t/.exec(await git.text(["ls-tree", "-z", commit, "--", path]));
  if (!listed || (listed[1] !== "100644" && listed[1] !== "100755")) return { status: "unreadable", reason: `${where} is not a regular file` };
  const sha = listed[3]!;
  const size = Number((await git.text(["cat-file", "-s", sha])).trim());
  if (size > WORKFLOW_YAML_LIMITS.maxBytes) return { status: "unreadable", reason: `${where} is ${size} bytes; the limit is ${WORKFLOW_YAML_LIMITS.maxBytes}` };
  return parsedVersion((await git.bytes(["cat-file", "blob", sha])).toString("utf8"), kind);
}
