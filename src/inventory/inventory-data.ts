import type { ChainedAuditRecord } from "../audit/audit-chain.js";
import type { AuditDecision } from "../audit/audit-record.js";

const DAY = 86_400_000;

export interface VerdictCounts {
  allow: number;
  step_up: number;
  deny: number;
}

/** One assistant in one organisation, as the audit trail knows it. */
export interface AgentRow {
  organisation: string;
  agent: string;
  /** Undefined for an assistant no policy declares: it has no owner. */
  owner?: string;
  registered: boolean;
  /** Repositories whose policy declares it. */
  repositories: string[];
  lastActivity: string;
  last7: VerdictCounts;
  last30: VerdictCounts;
  incidents: number;
  /** Task-scoped grants in force: given (a `granted` record), not revoked, not expired. */
  activeGrants: { by: string; scope: string[]; expires?: string; repository: string; pullRequest?: number }[];
}

const counts = (): VerdictCounts => ({ allow: 0, step_up: 0, deny: 0 });

function bump(c: VerdictCounts, decision: AuditDecision): void {
  if (decision === "allow" || decision === "step_up" || decision === "deny") c[decision]++;
}

export function organisationOf(repository: string): string {
  return repository.split("/")[0] ?? repository;
}

/** The agents table: one row per (organisation, agent key), records in chain order. */
export function agentRows(records: readonly ChainedAuditRecord[], now: Date): AgentRow[] {
  const rows = new Map<string, AgentRow>();
  /** Row id → grants given and not yet revoked or expired, by grant. */
  const grantsHeld = new Map<string, Map<string, AgentRow["activeGrants"][number]>>();
  const t = now.getTime();
  for (const record of records) {
    const time = Date.parse(record.time);
    const organisation = organisationOf(record.repository);
    for (const agent of record.agents) {
      const id = `${organisation.toLowerCase()}\0${agent.key}`;
      let row = rows.get(id);
      if (!row) {
        row = { organisation, agent: agent.key, registered: false, repositories: [], lastActivity: record.time, last7: counts(), last30: counts(), incidents: 0, activeGrants: [] };
        rows.set(id, row);
      }
      if (agent.declared) {
        row.registered = true;
        if (agent.owner) row.owner = agent.owner;
        if (!row.repositories.includes(record.repository)) row.repositories.push(record.repository);
      }
      if (time > Date.parse(row.lastActivity)) row.lastActivity = record.time;
      if (t - time <= 7 * DAY) bump(row.last7, record.decision);
      if (t - time <= 30 * DAY) bump(row.last30, record.decision);
      if (record.response === "incident") row.incidents++;
      // Grant records say when a grant began and ended; a check-run record's grants[] only repeats those in force.
      if (record.grantAction && record.grantAction !== "refused") {
        const held = grantsHeld.get(id) ?? new Map<string, AgentRow["activeGrants"][number]>();
        grantsHeld.set(id, held);
        for (const grant of record.grants ?? []) {
          if (grant.agent !== agent.key) continue;
          const key = [record.repository, record.pullRequest ?? "", grant.by, grant.expires ?? "", grant.scope.join(",")].join("\0");
          if (record.grantAction === "granted") {
            held.set(key, { by: grant.by, scope: grant.scope, ...(grant.expires ? { expires: grant.expires } : {}), repository: record.repository, ...(record.pullRequest !== undefined ? { pullRequest: record.pullRequest } : {}) });
          } else held.delete(key);
        }
      }
    }
  }
  for (const [id, held] of grantsHeld) {
    const row = rows.get(id)!;
    row.activeGrants = [...held.values()].filter((g) => g.expires === undefined || Date.parse(g.expires) > t);
  }
  for (const row of rows.values()) row.repositories.sort();
  return [...rows.values()].sort((a, b) => a.organisation.localeCompare(b.organisation) || a.agent.localeCompare(b.agent));
}

/** A pull request whose latest decision asks for a human. */
export interface PendingStepUp {
  repository: string;
  pullRequest: number;
  agents: string[];
  approvers: string[];
  /** Since when it has waited (the first step-up after the last other decision). */
  since: string;
  ageHours: number;
  ruleIds: string[];
}

export interface IncidentRow {
  repository: string;
  issueNumber?: number;
  time: string;
  agents: string[];
  ruleIds: string[];
  url?: string;
}

/** Pending step-ups (the latest decision on the pull request is step_up) and the incidents opened. */
export function waitingForHuman(records: readonly ChainedAuditRecord[], now: Date): { stepUps: PendingStepUp[]; incidents: IncidentRow[] } {
  const latest = new Map<string, { record: ChainedAuditRecord; since: string }>();
  for (const record of records) {
    if (record.pullRequest === undefined || record.response !== "check_run") continue;
    const key = `${record.repository.toLowerCase()}#${record.pullRequest}`;
    const previous = latest.get(key);
    const since = record.decision === "step_up" && previous?.record.decision === "step_up" ? previous.since : record.time;
    latest.set(key, { record, since });
  }
  const stepUps = [...latest.values()]
    .filter(({ record }) => record.decision === "step_up")
    .map(({ record, since }) => ({
      repository: record.repository,
      pullRequest: record.pullRequest!,
      agents: record.agents.map((a) => a.key),
      approvers: record.approvers,
      since,
      ageHours: Math.max(0, Math.round((now.getTime() - Date.parse(since)) / 360_000) / 10),
      ruleIds: record.ruleIds,
    }))
    .sort((a, b) => a.since.localeCompare(b.since));
  const incidents = records
    .filter((r) => r.response === "incident" && r.responded)
    .map((r) => ({
      repository: r.repository,
      ...(r.issueNumber !== undefined ? { issueNumber: r.issueNumber } : {}),
      time: r.time,
      agents: r.agents.map((a) => a.key),
      ruleIds: r.ruleIds,
      ...(r.target?.url ? { url: r.target.url } : {}),
    }))
    .reverse();
  return { stepUps, incidents };
}

/** One repository's posture as its latest evaluation saw it. */
export interface PostureRow {
  repository: string;
  policyPresent: boolean;
  policyValid: boolean;
  mode?: string;
  policySource: string;
  policyPath: string;
  policySha?: string;
  lastEvaluated: string;
  /** Whether "Agent Policy" is a required check on the default branch; "unknown" when GitHub would not say. */
  requiredCheck: boolean | "unknown";
  /** The organisation baseline in force, when the policy came from one. */
  baseline?: string;
}

export function postureRows(records: readonly ChainedAuditRecord[]): Omit<PostureRow, "requiredCheck">[] {
  const latest = new Map<string, ChainedAuditRecord>();
  for (const record of records) if (record.event !== "installation") latest.set(record.repository.toLowerCase(), record);
  return [...latest.values()]
    .map((r) => ({
      repository: r.repository,
      policyPresent: r.policy.source === "repository",
      policyValid: r.policy.valid,
      ...(r.mode ? { mode: r.mode } : {}),
      policySource: r.policy.source,
      policyPath: r.policy.path,
      ...(r.policy.sha ? { policySha: r.policy.sha } : {}),
      lastEvaluated: r.time,
      // The organisation baseline the policy was merged onto, as the record names it (its blob SHA when known).
      ...(r.policy.baseline ? { baseline: `${r.policy.baseline.repository}:${r.policy.baseline.path}${r.policy.baseline.sha ? `@${r.policy.baseline.sha.slice(0, 12)}` : ""}` } : {}),
    }))
    .sort((a, b) => a.repository.localeCompare(b.repository));
}

export interface ActivityFilter {
  repository?: string;
  agent?: string;
  decision?: string;
  ruleId?: string;
  since?: Date;
  until?: Date;
}

export function matchesActivity(record: ChainedAuditRecord, filter: ActivityFilter): boolean {
  if (filter.repository && record.repository.toLowerCase() !== filter.repository.toLowerCase()) return false;
  if (filter.agent && !record.agents.some((a) => a.key === filter.agent)) return false;
  if (filter.decision && record.decision !== filter.decision) return false;
  if (filter.ruleId && !(record.ruleIds as string[]).includes(filter.ruleId)) return false;
  const time = Date.parse(record.time);
  if (filter.since && !(time >= filter.since.getTime())) return false;
  if (filter.until && !(time < filter.until.getTime())) return false;
  return true;
}
