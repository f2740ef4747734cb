import type { ChainHead, ChainedAuditRecord } from "./audit-chain.js";
import type { AuditDecision, AuditRecord, GrantAuditAction } from "./audit-record.js";
import type { ChainVerification, VerifyOptions } from "./verify-chain.js";

/** Filters of `AuditStore.query`; all given ones must hold. */
export interface AuditQuery {
  /** `owner/name`, exact (case-insensitive). */
  repository?: string;
  /** An agent key (the policy's name for it, or its catalogue id). */
  agent?: string;
  decision?: AuditDecision;
  /** Records whose `ruleIds` include it. */
  ruleId?: string;
  /** Records at or after this time. */
  since?: Date;
  /** Records before this time. */
  until?: Date;
  /** Grant records whose `grantAction` is one of these. */
  grantActions?: readonly GrantAuditAction[];
}

/**
 * A durable, append-only, hash-chained home for audit records. One is chosen
 * at start from the environment (`openAuditStore`): a JSON-lines file, or
 * PostgreSQL. Appends are serialised into one chain, whatever the
 * concurrency; reads never change the store.
 */
export interface AuditStore {
  /** Where the records are, for messages (a path, or the database without credentials). */
  readonly location: string;
  /** Links the record after the current head and stores it durably; resolves once it is. */
  append(record: AuditRecord): Promise<ChainedAuditRecord>;
  /** Every record matching the filter, in chain order. */
  query(filter?: AuditQuery): AsyncIterable<ChainedAuditRecord>;
  /** Walks the whole chain; checks it against the head recorded beside it unless `expectedHead` is given. */
  verify(options?: Pick<VerifyOptions, "expectedHead">): Promise<ChainVerification>;
  /** The last record's place in the chain; undefined for an empty store. */
  head(): Promise<ChainHead | undefined>;
  close(): Promise<void>;
}

/** A failure of the audit store itself (unreadable file, unreachable database), with what was being done. */
export class AuditStoreError extends Error {
  override readonly name = "AuditStoreError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether a record passes a query's filters (the file store filters in memory; PostgreSQL in SQL). */
export function matchesQuery(record: AuditRecord, filter: AuditQuery): boolean {
  if (filter.repository !== undefined && record.repository.toLowerCase() !== filter.repository.toLowerCase()) return false;
  if (filter.agent !== undefined && !record.agents.some((a) => a.key === filter.agent)) return false;
  if (filter.decision !== undefined && record.decision !== filter.decision) return false;
  if (filter.ruleId !== undefined && !(record.ruleIds as string[]).includes(filter.ruleId)) return false;
  const time = Date.parse(record.time);
  if (filter.since !== undefined && !(time >= filter.since.getTime())) return false;
  if (filter.until !== undefined && !(time < filter.until.getTime())) return false;
  if (filter.grantActions !== undefined && !(record.grantAction !== undefined && filter.grantActions.includes(record.grantAction))) return false;
  return true;
}
