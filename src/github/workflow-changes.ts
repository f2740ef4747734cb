import type { ChangedFile } from "../engine/types.js";
import type { WorkflowChange, WorkflowVersion } from "../engine/workflow-document.js";
import { isChangedWorkflowFile, parsedVersion, readWorkflowChanges, type WorkflowKind } from "../workflow/changed-workflows.js";
import { WORKFLOW_YAML_LIMITS } from "../workflow/read-workflow-yaml.js";
import { GitHubFactsError, step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { RepositoryTree, shortRef, UnreadableFileError } from "./repository-tree.js";

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
  const { baseUnreadable } = input;
  return readWorkflowChanges(input.files, {
    base: (path, kind) => (baseUnreadable !== undefined ? Promise.resolve({ status: "unreadable", reason: baseUnreadable }) : readVersion(tree, input.base, path, kind)),
    head: (path, kind) => readVersion(tree, input.head, path, kind),
  });
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
  if (!input.files.some(isChangedWorkflowFile)) return [];
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

async function readVersion(tree: RepositoryTree, ref: string, path: string, kind: WorkflowKind): Promise<WorkflowVersion> {
  let text: string;
  try {
    ({ text } = await tree.file(ref, path, WORKFLOW_YAML_LIMITS.maxBytes));
  } catch (error) {
    if (error instanceof GitHubFactsError || error instanceof UnreadableFileError) return { status: "unreadable", reason: error.message };
    throw error;
  }
  return parsedVersion(text, kind);
}
