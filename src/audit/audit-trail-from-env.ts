import { resolve } from "node:path";
import { AuditSpool } from "./audit-spool.js";
import type { AuditStore } from "./audit-store.js";
import { AuditTrail, type AuditLogger } from "./audit-trail.js";
import { FileAuditStore } from "./file-audit-store.js";
import { PostgresAuditStore } from "./postgres-audit-store.js";

/** Where the embedded store writes when `AUDIT_FILE` is not set. */
export const DEFAULT_AUDIT_FILE = "./data/audit.jsonl";

/** Where records wait while a PostgreSQL store fails, when `AUDIT_SPOOL_FILE` is not set. */
export const DEFAULT_POSTGRES_SPOOL = "./data/audit-spool.jsonl";

/**
 * The audit store the environment names: PostgreSQL when `DATABASE_URL` is
 * set, otherwise the JSON-lines file at `AUDIT_FILE` (default
 * `./data/audit.jsonl`, relative to the working directory).
 */
export function auditStoreFromEnv(env: NodeJS.ProcessEnv, options: { cwd?: string; warn?: (message: string) => void } = {}): AuditStore {
  if (env.DATABASE_URL) return new PostgresAuditStore(env.DATABASE_URL, options.warn ? { warn: options.warn } : {});
  const file = resolve(options.cwd ?? process.cwd(), env.AUDIT_FILE || DEFAULT_AUDIT_FILE);
  return new FileAuditStore(file, options.warn ? { warn: options.warn } : {});
}

/** The spool: `AUDIT_SPOOL_FILE`, or `<AUDIT_FILE>.spool`, or `./data/audit-spool.jsonl` with PostgreSQL. */
export function auditSpoolFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): AuditSpool {
  const path = env.AUDIT_SPOOL_FILE || (env.DATABASE_URL ? DEFAULT_POSTGRES_SPOOL : `${env.AUDIT_FILE || DEFAULT_AUDIT_FILE}.spool`);
  return new AuditSpool(resolve(cwd, path));
}

/** The app's audit trail, chosen once at start from the environment; call `start()` to drain an earlier spool. */
export function auditTrailFromEnv(env: NodeJS.ProcessEnv, log: AuditLogger): AuditTrail {
  const store = auditStoreFromEnv(env, { warn: (message) => log.warn({ store: "audit" }, message) });
  return new AuditTrail(store, auditSpoolFromEnv(env), { log });
}
