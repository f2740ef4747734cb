import type { ChangedFile } from "../engine/types.js";
import { isActionFile, isWorkflowFile, type WorkflowChange, type WorkflowVersion } from "../engine/workflow-document.js";
import { parseWorkflow } from "../workflow/parse-workflow.js";
import { WORKFLOW_YAML_LIMITS } from "../workflow/read-workflow-yaml.js";
import { GitHubFactsError, step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { RepositoryTree, shortRef, UnreadableFileError } from "./repository-tree.js";

/** Changed workflow and action files read per change at most (two reads each); the rest are reported unread. */
export const MAX_WORKFLOW_CHANGES = 20;

type Kind = "workflow" | "action";

const kindOf = (path: string): Kind | undefined => (isWorkflowFile(path) ? "workflow" : isActionFile(path) ? "action" : undefined);

/**
 * Both versions of every changed workflow and action file — `base` at the
 * commit the change is compared with, `head` at its head commit — parsed for
 * the workflow-escalation rule. Never throws on a GitHub failure: a version
 * that cannot be read (an API error, not a regular file, over the size
 * limit, not YAML the parser can read with certainty) is `unreadable` with
 * the reason, and the engine denies an agent's change for it. Removed files
 * are not read; a file renamed from a path that was not a workflow is new.
 */
export async function gatherWorkflowChanges(
  octokit: Octokit,
  repo: RepoRef,
  input: { files: readonly ChangedFile[]; base: string; head: string; /** Set when the base commit itself could not be found. */ baseUnreadable?: string },
): Promise<WorkflowChange[]> {
  const tree = new RepositoryTree(octokit, repo);
  const changed = input.files
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
      base: !hasBase
        ? { status: "absent" }
        : input.baseUnreadable !== undefined
          ? { status: "unreadable", reason: input.baseUnreadable }
          : await readVersion(tree, input.base, previous, kind),
      head: await readVersion(tree, input.head, file.path, kind),
    });
  }
  return changes;
}

/**
 * The workflow changes of a pull request, compared with the merge base of
 * its base and head — what GitHub's own diff of the pull request is taken
 * against — so a base branch that moved on is not mistaken for the pull
 * request's doing. Costs nothing when no workflow or action file changed.
 * When the merge base cannot be read, every base version is unreadable.
 */
export async function gatherPullRequestWorkflowChanges(
  octokit: Octokit,
  repo: RepoRef,
  input: { files: readonly ChangedFile[]; baseSha: string; headSha: string },
): Promise<WorkflowChange[]> {
  if (!input.files.some((f) => f.status !== "removed" && kindOf(f.path) !== undefined)) return [];
  const basehead = `${input.baseSha}...${input.headSha}`;
  let mergeBase: string;
  try {
    const { data } = await step(`find the merge base of ${shortRef(input.baseSha)}...${shortRef(input.headSha)}`, () =>
      octokit.rest.repos.compareCommitsWithBasehead({ owner: repo.owner, repo: repo.repo, basehead, per_page: 1 }),
    );
    mergeBase = data.merge_base_commit.sha;
  } catch (error) {
    if (!(error instanceof GitHubFactsError)) throw error;
    return gatherWorkflowChanges(octokit, repo, { files: input.files, base: "", head: input.headSha, baseUnreadable: error.message });
  }
  return gatherWorkflowChanges(octokit, repo, { files: input.files, base: mergeBase, head: input.headSha });
}

async function readVersion(tree: RepositoryTree, ref: string, path: string, kind: Kind): Promise<WorkflowVersion> {
  let text: string;
  try {
    ({ text } = await tree.file(ref, path, WORKFLOW_YAML_LIMITS.maxBytes));
  } catch (error) {
    if (error instanceof GitHubFactsError || error instanceof UnreadableFileError) return { status: "unreadable", reason: error.message };
    throw error;
  }
  const parsed = parseWorkflow(text, kind);
  if (parsed.ok) return { status: "parsed", document: parsed.document };
  return { status: "unreadable", reason: parsed.reason, ...(parsed.at ? { at: parsed.at } : {}) };
}
