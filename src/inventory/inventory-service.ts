import type { ChainedAuditRecord } from "../audit/audit-chain.js";
import type { AuditStore } from "../audit/audit-store.js";
import { detectDrift, DRIFT_THRESHOLDS, type DriftFlag } from "./drift.js";
import type { UserAccess } from "./github-user.js";
import { agentRows, matchesActivity, postureRows, waitingForHuman, type ActivityFilter, type AgentRow, type PostureRow } from "./inventory-data.js";
import type { RepositoryFacts, RepositoryFactsReader } from "./repository-facts.js";

const DAY = 86_400_000;

export interface InventoryAgent extends AgentRow {
  /** The earliest expiry among the policies that declare it. */
  expires?: string;
  suspended: boolean;
}

/** The most activity records one answer carries. */
export const MAX_ACTIVITY_ROWS = 500;

/**
 * Every view's data for one signed-in user: audit records of the
 * repositories GitHub says the user can read, nothing else; the policies
 * behind them read with the installation token.
 */
export class InventoryService {
  constructor(
    private readonly store: AuditStore,
    private readonly facts: RepositoryFactsReader | undefined,
  ) {}

  /** Records of readable repositories only, in chain order. */
  async records(access: UserAccess, filter: ActivityFilter = {}): Promise<ChainedAuditRecord[]> {
    const out: ChainedAuditRecord[] = [];
    const query = { ...(filter.since ? { since: filter.since } : {}), ...(filter.until ? { until: filter.until } : {}) };
    for await (const record of this.store.query(query)) {
      if (!access.repositories.has(record.repository.toLowerCase())) continue;
      if (matchesActivity(record, filter)) out.push(record);
    }
    return out;
  }

  private async repositoryFacts(records: ChainedAuditRecord[]): Promise<Map<string, RepositoryFacts>> {
    const installationOf = new Map<string, { repository: string; installationId: number }>();
    for (const r of records) if (r.installationId !== undefined) installationOf.set(r.repository.toLowerCase(), { repository: r.repository, installationId: r.installationId });
    const facts = new Map<string, RepositoryFacts>();
    if (!this.facts) return facts;
    await Promise.all(
      [...installationOf.entries()].map(async ([key, { repository, installationId }]) => facts.set(key, await this.facts!.read(installationId, repository))),
    );
    return facts;
  }

  async agents(access: UserAccess, now: Date): Promise<InventoryAgent[]> {
    const records = await this.records(access, { since: new Date(now.getTime() - 90 * DAY) });
    const facts = await this.repositoryFacts(records);
    return agentRows(records, now).map((row) => {
      let expires: string | undefined;
      let suspended = false;
      let owner = row.owner;
      for (const repository of row.repositories) {
        const declared = facts.get(repository.toLowerCase())?.agents.find((a) => a.key === row.agent);
        if (!declared) continue;
        if (declared.suspended) suspended = true;
        if (declared.owner) owner = declared.owner;
        if (declared.expires && (!expires || declared.expires < expires)) expires = declared.expires;
      }
      return { ...row, ...(owner ? { owner } : {}), ...(expires ? { expires } : {}), suspended };
    });
  }

  async activity(access: UserAccess, filter: ActivityFilter): Promise<{ records: ChainedAuditRecord[]; total: number }> {
    const records = await this.records(access, filter);
    return { records: records.slice(-MAX_ACTIVITY_ROWS).reverse(), total: records.length };
  }

  async waiting(access: UserAccess, now: Date) {
    return waitingForHuman(await this.records(access, { since: new Date(now.getTime() - 90 * DAY) }), now);
  }

  async posture(access: UserAccess): Promise<PostureRow[]> {
    const records = await this.records(access);
    const facts = await this.repositoryFacts(records);
    return postureRows(records).map((row) => {
      const f = facts.get(row.repository.toLowerCase());
      if (!f) return { ...row, requiredCheck: "unknown" as const };
      // What the default branch holds now wins over what the last evaluation saw.
      if (f.policy === "unreadable") return { ...row, requiredCheck: f.requiredCheck };
      const { mode: _mode, policySha: _sha, ...rest } = row;
      return {
        ...rest,
        policyPresent: f.policy !== "absent",
        policyValid: f.policy === "valid" || f.policy === "absent",
        ...(f.mode ? { mode: f.mode } : {}),
        ...(f.policySha ? { policySha: f.policySha } : {}),
        requiredCheck: f.requiredCheck,
      };
    });
  }

  async drift(access: UserAccess, now: Date): Promise<DriftFlag[]> {
    const span = (DRIFT_THRESHOLDS.recentDays + DRIFT_THRESHOLDS.baselineDays) * DAY;
    return detectDrift(await this.records(access, { since: new Date(now.getTime() - span) }), now);
  }
}
