/**
 * What the engine knows of a GitHub Actions workflow or action file: the
 * parts that decide what it may do, each with its place in the file. A shell
 * parses the YAML (see `src/workflow/`); the engine only compares documents.
 */

/** A place in a file: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export interface Located<T> {
  value: T;
  at: Position;
}

export type PermissionLevel = "none" | "read" | "write";

/**
 * A `permissions:` value. `all`: `read-all` or `write-all`; `scopes`: a map
 * of scope → level, where a scope not named is `none`; `unknown`: anything
 * else, judged as `write-all` (the stricter reading).
 */
export type Permissions =
  | { kind: "all"; level: "read" | "write"; at: Position }
  | { kind: "scopes"; scopes: Record<string, Located<PermissionLevel>>; at: Position }
  | { kind: "unknown"; text: string; at: Position };

export interface WorkflowJob {
  id: string;
  at: Position;
  permissions?: Permissions;
  /** The labels of `runs-on`, matrix values expanded; an expression that cannot be resolved is kept as written. */
  runsOn: Located<string>[];
  /** Where `secrets: inherit` is, when the job passes every secret to a reusable workflow. */
  inheritSecrets?: Position;
}

/** One use of the `secrets` context. */
export interface SecretReference {
  /** The secret's name, upper-case (GitHub's are case-insensitive); `*` for the whole context or a computed name. */
  name: string;
  /** The job it appears in; absent at workflow level, where it reaches every job. */
  job?: string;
  /** Where in the job it is, independent of step order (`steps[Deploy].env.TOKEN`). */
  context: string;
  at: Position;
}

/** A `uses:` of a job (a reusable workflow) or of a step (an action). */
export interface UsesReference {
  value: string;
  level: "job" | "step";
  at: Position;
}

export interface WorkflowDocument {
  kind: "workflow" | "action";
  /** Event names under `on:`. */
  triggers: Located<string>[];
  /** Workflow-level `permissions:`. */
  permissions?: Permissions;
  jobs: WorkflowJob[];
  secrets: SecretReference[];
  uses: UsesReference[];
}

/** One side of a changed workflow file. */
export type WorkflowVersion =
  | { status: "absent" }
  | { status: "parsed"; document: WorkflowDocument }
  | { status: "unreadable"; reason: string; at?: Position };

/** A workflow or action file a change touches, in the versions before (`base`) and after (`head`) it. */
export interface WorkflowChange {
  path: string;
  /** Before a rename: the old path, whose version `base` is. */
  previousPath?: string;
  base: WorkflowVersion;
  head: WorkflowVersion;
}

/** A file GitHub runs as a workflow: directly under `.github/workflows/`, `.yml` or `.yaml` (paths are case-sensitive). */
export function isWorkflowFile(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** The metadata file of an action, wherever it lies (a local action is any directory holding one). */
export function isActionFile(path: string): boolean {
  return /(?:^|\/)action\.ya?ml$/.test(path);
}
