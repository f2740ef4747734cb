import type {
  Located,
  PermissionLevel,
  Permissions,
  Position,
  SecretReference,
  UsesReference,
  WorkflowDocument,
  WorkflowJob,
} from "../engine/workflow-document.js";
import { readWorkflowYaml, type YamlEntry, type YamlValue } from "./read-workflow-yaml.js";

export type ParseWorkflowResult = { ok: true; document: WorkflowDocument } | { ok: false; reason: string; at?: Position };

/**
 * Reads a workflow file (`kind: "workflow"`) or an action's `action.yml`
 * (`kind: "action"`) into what the engine compares: triggers, permissions,
 * jobs (runners, `secrets: inherit`), every use of the `secrets` context and
 * every `uses:`. Keys the engine does not judge are ignored; a file that is
 * not one YAML mapping is refused (see `readWorkflowYaml` for what else is).
 */
export function parseWorkflow(text: string, kind: WorkflowDocument["kind"]): ParseWorkflowResult {
  const read = readWorkflowYaml(text);
  if (!read.ok) return read;
  const { root } = read;
  if (root.kind !== "map") return { ok: false, reason: "the file is not a YAML mapping", at: root.at };

  const document: WorkflowDocument = { kind, triggers: [], jobs: [], secrets: [], uses: [] };
  if (kind === "workflow") {
    const on = entry(root, "on");
    if (on) document.triggers = triggersOf(on);
    const permissions = entry(root, "permissions");
    if (permissions) document.permissions = permissionsOf(permissions);
    const jobs = entry(root, "jobs");
    if (jobs?.value.kind === "map") {
      for (const job of jobs.value.entries) document.jobs.push(jobOf(job));
      for (const job of jobs.value.entries) document.uses.push(...usesOf(job.value));
    }
  } else {
    const runs = entry(root, "runs");
    if (runs) document.uses.push(...usesOf(runs.value));
  }
  collectSecrets(root, [], undefined, undefined, document.secrets);
  return { ok: true, document };
}

function entry(map: YamlValue, key: string): YamlEntry | undefined {
  return map.kind === "map" ? map.entries.find((e) => e.key === key) : undefined;
}

function text(value: YamlValue | undefined): string | undefined {
  return value?.kind === "scalar" && value.value !== null ? String(value.value) : undefined;
}

/** `on: push`, `on: [push, pull_request]` or `on: { push: …, pull_request_target: … }`. */
function triggersOf(on: YamlEntry): Located<string>[] {
  const { value } = on;
  if (value.kind === "map") return value.entries.map((e) => ({ value: e.key, at: e.keyAt }));
  if (value.kind === "seq") return value.items.flatMap((item) => (text(item) !== undefined ? [{ value: text(item)!, at: item.at }] : []));
  const name = text(value);
  return name !== undefined ? [{ value: name, at: value.at }] : [];
}

const LEVELS: ReadonlySet<string> = new Set(["none", "read", "write"]);

function permissionsOf(permissions: YamlEntry): Permissions {
  const at = permissions.keyAt;
  const { value } = permissions;
  if (value.kind === "map") {
    const scopes: Record<string, Located<PermissionLevel>> = {};
    for (const scope of value.entries) {
      const level = text(scope.value);
      // An unknown level is read as `write`, the stricter reading.
      scopes[scope.key] = { value: level !== undefined && LEVELS.has(level) ? (level as PermissionLevel) : "write", at: scope.keyAt };
    }
    return { kind: "scopes", scopes, at };
  }
  const word = text(value);
  if (word === "read-all") return { kind: "all", level: "read", at };
  if (word === "write-all") return { kind: "all", level: "write", at };
  return { kind: "unknown", text: word ?? value.kind, at };
}

function jobOf(job: YamlEntry): WorkflowJob {
  const result: WorkflowJob = { id: job.key, at: job.keyAt, runsOn: [] };
  const permissions = entry(job.value, "permissions");
  if (permissions) result.permissions = permissionsOf(permissions);
  const runsOn = entry(job.value, "runs-on");
  if (runsOn) result.runsOn = runnerLabels(runsOn.value, job.value);
  const secrets = entry(job.value, "secrets");
  if (secrets && text(secrets.value) === "inherit") result.inheritSecrets = secrets.value.at;
  return result;
}

/** `runs-on` as labels: a string, a list, or `{ group, labels }`; `${{ matrix.x }}` expands to the matrix's values of `x`. */
function runnerLabels(value: YamlValue, job: YamlValue): Located<string>[] {
  if (value.kind === "seq") return value.items.flatMap((item) => runnerLabels(item, job));
  if (value.kind === "map") {
    return value.entries.flatMap((e) => {
      if (e.key === "group") return text(e.value) !== undefined ? [{ value: `group: ${text(e.value)}`, at: e.value.at }] : [];
      if (e.key === "labels") return runnerLabels(e.value, job);
      return [];
    });
  }
  const label = text(value);
  if (label === undefined) return [];
  const matrixKey = /^\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}$/.exec(label.trim())?.[1];
  if (matrixKey) {
    const values = matrixValues(job, matrixKey);
    if (values) return values;
  }
  return [{ value: label, at: value.at }];
}

/** Every value the job's matrix gives `key`, or undefined when it cannot be known from the file alone. */
function matrixValues(job: YamlValue, key: string): Located<string>[] | undefined {
  const strategy = entry(job, "strategy")?.value;
  const matrix = strategy ? entry(strategy, "matrix")?.value : undefined;
  if (!matrix || matrix.kind !== "map") return undefined;
  const values: Located<string>[] = [];
  const add = (value: YamlValue): boolean => {
    if (value.kind === "seq") return value.items.every(add);
    const label = text(value);
    if (label === undefined || label.includes("${{")) return false;
    values.push({ value: label, at: value.at });
    return true;
  };
  const listed = entry(matrix, key);
  if (listed && (listed.value.kind !== "seq" || !add(listed.value))) return undefined;
  const include = entry(matrix, "include");
  if (include) {
    if (include.value.kind !== "seq") return undefined;
    for (const item of include.value.items) {
      if (item.kind !== "map") return undefined;
      const value = entry(item, key);
      if (value && (value.value.kind !== "scalar" || !add(value.value))) return undefined;
    }
  }
  return values.length > 0 ? values : undefined;
}

/** The `uses:` of a job (a reusable workflow) and of its steps (actions), or of a composite action's steps. */
function usesOf(container: YamlValue): UsesReference[] {
  const found: UsesReference[] = [];
  const own = entry(container, "uses");
  if (own && text(own.value) !== undefined) found.push({ value: text(own.value)!, level: "job", at: own.value.at });
  const steps = entry(container, "steps");
  if (steps?.value.kind === "seq") {
    for (const step of steps.value.items) {
      const uses = entry(step, "uses");
      if (uses && text(uses.value) !== undefined) found.push({ value: text(uses.value)!, level: "step", at: uses.value.at });
    }
  }
  return found;
}

/** `secrets.NAME`, `secrets['NAME']`, or the context itself (`toJSON(secrets)`, `secrets[expr]`, `secrets.*`: every secret). */
const SECRET_REFERENCE = /(?<![\w.-])secrets(?![\w-])\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*(?:'((?:[^']|'')*)'|"([^"]*)")\s*\])?/gi;
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

/**
 * Every use of the `secrets` context in an expression: inside `${{ … }}`
 * anywhere, and in `if:` values, which are expressions without the braces.
 * Walked with an explicit path, so a reference is tied to its job and to a
 * place in it that does not depend on the order of steps.
 */
function collectSecrets(value: YamlValue, path: string[], job: string | undefined, key: string | undefined, out: SecretReference[]): void {
  if (value.kind === "map") {
    const inJobs = path.length === 1 && path[0] === "jobs";
    for (const e of value.entries) {
      collectSecrets(e.value, [...path, e.key], inJobs ? e.key : job, e.key, out);
    }
    return;
  }
  if (value.kind === "seq") {
    value.items.forEach((item, index) => collectSecrets(item, [...path, `[${stepLabel(item) ?? index}]`], job, key, out));
    return;
  }
  if (typeof value.value !== "string") return;
  const expressions = [...value.value.matchAll(EXPRESSION)].map((m) => m[1] ?? "");
  if (key === "if" && expressions.length === 0) expressions.push(value.value);
  const context = (job !== undefined ? path.slice(2) : path).join(".");
  for (const expression of expressions) {
    for (const match of expression.matchAll(SECRET_REFERENCE)) {
      const name = (match[1] ?? match[2]?.replace(/''/g, "'") ?? match[3] ?? "*").toUpperCase();
      out.push({ name, ...(job !== undefined ? { job } : {}), context, at: value.at });
    }
  }
}

/** A step is named by its `id`, `name` or `uses`, so moving it does not change where its secrets are said to be. */
function stepLabel(item: YamlValue): string | undefined {
  for (const key of ["id", "name", "uses"]) {
    const label = text(entry(item, key)?.value);
    if (label !== undefined) return label;
  }
  return undefined;
}
