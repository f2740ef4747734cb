import type { PermissionLevel, Permissions, Position, SecretReference, WorkflowDocument, WorkflowJob } from "./workflow-document.js";

export type EscalationKind =
  | "write-all"
  | "permission-widened"
  | "id-token-write"
  | "permissions-removed"
  | "new-trigger"
  | "new-secret"
  | "secrets-inherit"
  | "self-hosted-runner";

/** One way the head version of a workflow may do more than the base version: what, and where in the head file. */
export interface Escalation {
  kind: EscalationKind;
  at: Position;
  /** Ends a sentence that starts "the change …": `gives job build permissions: write-all`. */
  detail: string;
}

/** Triggers that run with the base repository's secrets and a write token on events others cause. */
const PRIVILEGED_TRIGGERS: ReadonlySet<string> = new Set(["pull_request_target", "workflow_run"]);

/** The scopes of GITHUB_TOKEN; a map names some, `read-all` / `write-all` set every one. */
const SCOPES = [
  "actions",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "discussions",
  "id-token",
  "issues",
  "models",
  "packages",
  "pages",
  "pull-requests",
  "repository-projects",
  "security-events",
  "statuses",
] as const;

const RANK: Record<PermissionLevel, number> = { none: 0, read: 1, write: 2 };

/**
 * Labels of GitHub's hosted runners (`ubuntu-latest`, `windows-2025`,
 * `macos-15-xlarge`, `ubuntu-24.04-arm`, `ubuntu-slim`). Any other label —
 * `self-hosted`, a custom label, a runner group, an expression that cannot be
 * resolved from the file — may name a machine of the organisation's.
 */
const GITHUB_HOSTED = /^(?:(?:ubuntu|windows|macos)-(?:latest|\d+(?:\.\d+)?)(?:-(?:arm|arm64|large|xlarge))?|ubuntu-slim)$/i;

/** Escalations reported per file at most; a file over it is still denied. */
export const MAX_ESCALATIONS_PER_FILE = 50;

/**
 * Where the head version of a workflow (or action) may do more than the base
 * version: pure, and blind to comments, key order, step order and job order.
 * A new file (`base` undefined) is compared with an empty one.
 *
 * - permissions, per job, as it runs: the job's own `permissions`, else the
 *   workflow's, else the repository's default — which the app cannot see and
 *   takes as read-only (GitHub's default for new repositories), so adding a
 *   write scope where a workflow relied on the default is a widening, and
 *   removing explicit permissions altogether (falling back to a default that
 *   may be `write-all`) is one too; `write-all` and an unreadable value are
 *   reported as `write-all`, `id-token: write` on its own;
 * - a new `pull_request_target` or `workflow_run` trigger;
 * - more uses of a secret in a job (or at workflow level) than before,
 *   `toJSON(secrets)` and computed names counting as every secret, and a new
 *   `secrets: inherit`;
 * - a runner label in a job that is not GitHub-hosted and was not already there.
 */
export function findEscalations(base: WorkflowDocument | undefined, head: WorkflowDocument): Escalation[] {
  const found = new Map<string, Escalation>();
  const add = (e: Escalation) => {
    const key = `${e.kind}\u0000${e.at.line}\u0000${e.at.column}\u0000${e.detail}`;
    if (!found.has(key)) found.set(key, e);
  };
  const baseTriggers = new Set(base?.triggers.map((t) => t.value) ?? []);
  for (const trigger of head.triggers) {
    if (PRIVILEGED_TRIGGERS.has(trigger.value) && !baseTriggers.has(trigger.value)) {
      add({ kind: "new-trigger", at: trigger.at, detail: `adds the ${trigger.value} trigger, which runs with the repository's secrets on events others cause` });
    }
  }
  for (const job of head.jobs) {
    const before = base?.jobs.find((j) => j.id === job.id);
    permissionEscalations(job, head, before, base).forEach(add);
    if (job.inheritSecrets && !before?.inheritSecrets) {
      add({ kind: "secrets-inherit", at: job.inheritSecrets, detail: `passes every secret to the workflow job ${job.id} calls (secrets: inherit)` });
    }
    const known = new Set((before?.runsOn ?? []).filter((l) => !GITHUB_HOSTED.test(l.value)).map((l) => l.value.toLowerCase()));
    for (const label of job.runsOn) {
      if (GITHUB_HOSTED.test(label.value) || known.has(label.value.toLowerCase())) continue;
      add({ kind: "self-hosted-runner", at: label.at, detail: `runs job ${job.id} on ${label.value}, which is not a GitHub-hosted runner` });
    }
  }
  secretEscalations(base?.secrets ?? [], head.secrets).forEach(add);
  return [...found.values()].sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column).slice(0, MAX_ESCALATIONS_PER_FILE);
}

/** What a job runs with: its own permissions, the workflow's, or (undefined) the repository default. */
function effective(job: WorkflowJob | undefined, doc: WorkflowDocument | undefined): Permissions | undefined {
  return job?.permissions ?? doc?.permissions;
}

function levelOf(permissions: Permissions | undefined, scope: string): PermissionLevel {
  if (!permissions) return scope === "id-token" ? "none" : "read";
  if (permissions.kind === "unknown") return "write";
  if (permissions.kind === "all") return permissions.level === "read" && scope === "id-token" ? "none" : permissions.level;
  return permissions.scopes[scope]?.value ?? "none";
}

const allWrite = (p: Permissions | undefined) => p !== undefined && (p.kind === "unknown" || (p.kind === "all" && p.level === "write"));

function permissionEscalations(job: WorkflowJob, head: WorkflowDocument, before: WorkflowJob | undefined, base: WorkflowDocument | undefined): Escalation[] {
  const now = effective(job, head);
  const was = effective(before, base);
  // Workflow-level permissions are reported once, at their line, for every job that takes them.
  const where = job.permissions ? `job ${job.id}` : "the workflow's jobs";
  if (!now) {
    if (!was || allWrite(was)) return [];
    return [{ kind: "permissions-removed", at: job.at, detail: `leaves job ${job.id} without the permissions it had, so it runs with the repository's default, which may be write-all` }];
  }
  if (allWrite(now)) {
    if (allWrite(was)) return [];
    const what = now.kind === "unknown" ? `permissions GitHub may read as write-all (${now.text})` : "permissions: write-all";
    return [{ kind: "write-all", at: now.at, detail: `gives ${where} ${what}` }];
  }
  const scopes = new Set<string>([...SCOPES, ...(now.kind === "scopes" ? Object.keys(now.scopes) : [])]);
  const widened = [...scopes].filter((scope) => RANK[levelOf(now, scope)] > RANK[levelOf(was, scope)]).sort();
  if (now.kind === "all") {
    return widened.length === 0 ? [] : [{ kind: "permission-widened", at: now.at, detail: `gives ${where} read-all, widening ${widened.join(", ")}` }];
  }
  return widened.map((scope) => {
    const level = levelOf(now, scope);
    const at = now.kind === "scopes" ? (now.scopes[scope]?.at ?? now.at) : now.at;
    if (scope === "id-token" && level === "write") {
      return { kind: "id-token-write", at, detail: `gives ${where} id-token: write, which can mint cloud credentials (OIDC)` };
    }
    return { kind: "permission-widened", at, detail: `gives ${where} ${scope}: ${level} (was ${levelOf(was, scope)})` };
  });
}

/**
 * A secret used more often in a job (or at workflow level) than before. The
 * occurrence reported is the first whose place in the job is new, else the
 * last; moving steps around changes neither count.
 */
function secretEscalations(base: readonly SecretReference[], head: readonly SecretReference[]): Escalation[] {
  const group = (refs: readonly SecretReference[]) => {
    const groups = new Map<string, SecretReference[]>();
    for (const ref of refs) {
      const key = `${ref.job ?? ""}\u0000${ref.name}`;
      groups.set(key, [...(groups.get(key) ?? []), ref]);
    }
    return groups;
  };
  const before = group(base);
  const escalations: Escalation[] = [];
  for (const [key, refs] of group(head)) {
    const old = before.get(key) ?? [];
    if (refs.length <= old.length) continue;
    const oldContexts = new Set(old.map((r) => r.context));
    const shown = refs.find((r) => !oldContexts.has(r.context)) ?? refs[refs.length - 1]!;
    const what = shown.name === "*" ? "the whole secrets context (every secret)" : `secrets.${shown.name}`;
    const where = shown.job !== undefined ? `in job ${shown.job}` : "at workflow level, where every job sees it";
    escalations.push({ kind: "new-secret", at: shown.at, detail: `uses ${what} ${where}${old.length ? ` once more than before (${refs.length}, was ${old.length})` : ""}` });
  }
  return escalations;
}
