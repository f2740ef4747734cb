import type { UsesReference } from "../engine/workflow-document.js";
import { isWorkflowFile } from "../engine/workflow-document.js";
import type { RemoteReferenceChange, WorkflowRunSources, WorkflowSource } from "../engine/workflow-modified.js";
import { parseWorkflow } from "../workflow/parse-workflow.js";
import { WORKFLOW_YAML_LIMITS } from "../workflow/read-workflow-yaml.js";
import { GitHubFactsError } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { RepositoryTree, shortRef, UnreadableFileError } from "./repository-tree.js";

/** Sources compared per run at most: the workflow, and the local actions and reusable workflows it reaches. */
export const MAX_WORKFLOW_SOURCES = 16;

type Pending = Omit<WorkflowSource, "status" | "reason">;

/** A source could not be compared; the message says why. */
class Unverifiable extends Error {}

/**
 * Compares what a workflow run executes from the repository — its workflow
 * file, and transitively every local action (`uses: ./dir`) and local
 * reusable workflow (`uses: ./.github/workflows/x.yml`) — at the run's
 * commit with the default branch, by blob and tree SHA: a file by its blob,
 * an action by its directory's tree (its scripts and Dockerfile included).
 * Files are downloaded only at the run's commit, to find what they call, and
 * on the default branch only when they differ, to report their remote
 * actions (`owner/repo@ref`), which are not compared.
 *
 * Never throws on a GitHub failure: the source becomes `unverifiable` with
 * the reason and the inspection stops there (the run is cancelled anyway).
 * At most MAX_WORKFLOW_SOURCES sources are compared; more is unverifiable.
 */
export async function inspectWorkflowSources(
  octokit: Octokit,
  repo: RepoRef,
  run: { workflowPath: string; headSha: string; defaultBranch: string },
): Promise<WorkflowRunSources> {
  const tree = new RepositoryTree(octokit, repo);
  const result: WorkflowRunSources = { headSha: run.headSha, defaultBranch: run.defaultBranch, sources: [], remoteChanges: [] };
  const queue: Pending[] = [{ kind: "workflow", path: run.workflowPath }];
  const seen = new Set([`workflow:${run.workflowPath}`]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (result.sources.length >= MAX_WORKFLOW_SOURCES) {
      result.sources.push({ ...next, status: "unverifiable", reason: `the run reaches more than ${MAX_WORKFLOW_SOURCES} local actions and reusable workflows` });
      break;
    }
    try {
      const { status, uses, remote } = await compareSource(tree, run, next);
      result.sources.push({ ...next, status });
      if (remote) result.remoteChanges.push(remote);
      for (const ref of uses) {
        const local = localSource(ref, next.path);
        if (!local || seen.has(`${local.kind}:${local.path}`)) continue;
        seen.add(`${local.kind}:${local.path}`);
        queue.push(local);
      }
    } catch (error) {
      if (!(error instanceof Unverifiable || error instanceof UnreadableFileError || error instanceof GitHubFactsError)) throw error;
      result.sources.push({ ...next, status: "unverifiable", reason: error.message });
      break;
    }
  }
  return result;
}

/** A local `uses:` as the source it names, relative to the repository root; undefined for a remote one. */
function localSource(ref: UsesReference, calledFrom: string): Pending | undefined {
  if (!ref.value.startsWith("./")) return undefined;
  const path = ref.value.slice(2).replace(/\/+$/, "");
  return { kind: ref.level === "job" ? "reusable-workflow" : "action", path, calledFrom };
}

async function compareSource(
  tree: RepositoryTree,
  run: { headSha: string; defaultBranch: string },
  source: Pending,
): Promise<{ status: "same" | "modified" | "added"; uses: UsesReference[]; remote?: RemoteReferenceChange }> {
  const unsafe = unsafeReason(source.path);
  if (unsafe) throw new Unverifiable(`./${source.path} ${unsafe}`);
  const kind = source.kind === "action" ? "action" : "workflow";
  const head = await readHead(tree, run.headSha, source);
  const uses = usesOf(head.text, head.metadata, run.headSha, kind);

  const base = await tree.entry(run.defaultBranch, source.path);
  if (base === "unknown") throw new Unverifiable(`the directory holding ./${source.path} has too many entries to list on ${run.defaultBranch}`);
  const status = !base ? "added" : base.type === (kind === "action" ? "dir" : "file") && base.sha === head.sha ? "same" : "modified";
  if (status === "same") return { status, uses };
  const remote = await remoteChange(tree, run.defaultBranch, head.metadata, kind, uses, status === "added");
  return remote ? { status, uses, remote } : { status, uses };
}

/** A source at the run's commit: its blob SHA (a file) or tree SHA (an action's directory), and the file that says what it calls. */
async function readHead(tree: RepositoryTree, headSha: string, source: Pending): Promise<{ sha: string; metadata: string; text: string }> {
  const at = shortRef(headSha);
  if (source.kind !== "action") {
    if (!isWorkflowFile(source.path)) throw new Unverifiable(`./${source.path} is not a workflow file under .github/workflows`);
    const file = await tree.file(headSha, source.path, WORKFLOW_YAML_LIMITS.maxBytes);
    return { sha: file.sha, metadata: source.path, text: file.text };
  }
  const entry = await tree.entry(headSha, source.path);
  if (entry === "unknown") throw new Unverifiable(`the directory holding ./${source.path} has too many entries to list at ${at}`);
  if (!entry) throw new Unverifiable(`./${source.path} does not exist at ${at}`);
  if (entry.type !== "dir") throw new Unverifiable(`./${source.path} at ${at} is a ${entry.type}, not a directory`);
  const metadata = await actionFile(tree, headSha, source.path);
  const { text } = await tree.file(headSha, metadata, WORKFLOW_YAML_LIMITS.maxBytes);
  return { sha: entry.sha, metadata, text };
}

/** The action's metadata file at `ref`: `action.yml`, else `action.yaml`. */
async function actionFile(tree: RepositoryTree, ref: string, dir: string): Promise<string> {
  const listing = await tree.listing(ref, dir);
  for (const name of ["action.yml", "action.yaml"]) {
    if (listing?.entries.get(name)?.type === "file") return `${dir}/${name}`;
  }
  throw new Unverifiable(`./${dir} at ${shortRef(ref)} has no action.yml`);
}

function usesOf(text: string, path: string, ref: string, kind: "workflow" | "action"): UsesReference[] {
  const parsed = parseWorkflow(text, kind);
  if (!parsed.ok) throw new Unverifiable(`${path} at ${shortRef(ref)} could not be read: ${parsed.reason}${parsed.at ? ` (line ${parsed.at.line})` : ""}`);
  return parsed.document.uses;
}

/** The remote actions a differing file added or dropped compared with the default branch's version of it. */
async function remoteChange(
  tree: RepositoryTree,
  defaultBranch: string,
  path: string,
  kind: "workflow" | "action",
  headUses: readonly UsesReference[],
  added: boolean,
): Promise<RemoteReferenceChange | undefined> {
  const remoteOf = (uses: readonly UsesReference[]) => new Set(uses.map((u) => u.value).filter((v) => !v.startsWith("./")));
  const head = remoteOf(headUses);
  let base = new Set<string>();
  if (!added) {
    try {
      const { text } = await tree.file(defaultBranch, path, WORKFLOW_YAML_LIMITS.maxBytes);
      base = remoteOf(usesOf(text, path, defaultBranch, kind));
    } catch (error) {
      if (!(error instanceof Unverifiable || error instanceof UnreadableFileError || error instanceof GitHubFactsError)) throw error;
      return { file: sourcePathOf(path, kind), added: [], removed: [], error: error.message };
    }
  }
  const change = {
    file: sourcePathOf(path, kind),
    added: [...head].filter((v) => !base.has(v)).sort(),
    removed: [...base].filter((v) => !head.has(v)).sort(),
  };
  return change.added.length || change.removed.length ? change : undefined;
}

/** Findings name an action by its directory, a workflow by its file. */
function sourcePathOf(path: string, kind: "workflow" | "action"): string {
  return kind === "action" ? path.slice(0, path.lastIndexOf("/")) : path;
}

/** GitHub resolves `./` paths inside the checkout; one that could leave it, or names the root, cannot be compared. */
function unsafeReason(path: string): string | undefined {
  if (path === "" || path === ".") return "is the repository root, which changes with every commit";
  if (path.includes("${{")) return "is computed by an expression";
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..") || /[\\\u0000-\u001f]/.test(path)) return "is not a plain path inside the repository";
  return undefined;
}
