import type { AuditRecord } from "../audit/audit-record.js";
import { AuditTrail, type AuditLogger } from "../audit/audit-trail.js";
import { auditSpoolFromEnv, auditStoreFromEnv } from "../audit/audit-trail-from-env.js";

/** The audit trail of `auditTrailFromEnv` that also tells `onRecord` about each decision (the metrics count them). */
export class ObservedAuditTrail extends AuditTrail {
  constructor(
    env: NodeJS.ProcessEnv,
    log: AuditLogger,
    private readonly onRecord: (record: AuditRecord) => void,
  ) {
    super(auditStoreFromEnv(env, { warn: (message) => log.warn({ store: "audit" }, message) }), auditSpoolFromEnv(env), { log });
  }

  override write(log: AuditLogger, record: AuditRecord, extra: object = {}): ReturnType<AuditTrail["write"]> {
    this.onRecord(record);
    return super.write(log, record, extra);
  }
}
