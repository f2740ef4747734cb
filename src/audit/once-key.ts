import type { ChainedAuditRecord } from "./audit-chain.js";
import type { AuditRecord } from "./audit-record.js";

/**
 * The key of a record the audit store keeps at most once, whoever writes it
 * and however often: a grant's expiry (one per grant, named by the comment
 * that gave it). A timer in each of several instances, a sweep after a
 * restart and a redelivered spool may all record the same expiry; the store
 * appends the first and refuses the others (`AlreadyRecorded`). Other
 * records have no key: each decision is its own record.
 */
export function onceKeyOf(record: AuditRecord): string | undefined {
  if (record.grantAction !== "expired" || record.commandCommentId === undefined) return undefined;
  return `grant-expired:${record.repository.toLowerCase()}#${record.pullRequest ?? ""}:${record.commandCommentId}`;
}

/** The store holds a record with the same once key already (`existing`); nothing was appended. */
export class AlreadyRecorded extends Error {
  override readonly name = "AlreadyRecorded";
  constructor(
    readonly key: string,
    readonly existing: ChainedAuditRecord,
  ) {
    super(`the audit store already holds ${key} (seq ${existing.seq})`);
  }
}
