import { resolve } from "node:path";
import { AuditSpool } from "./audit-spool.js";
import type { AuditStore } from "./audit-store.js";
import { AuditTrail, type AuditLogger } from "./audit-trail.js";
import { FileAuditStore } from "./file-audit-store.js";

/** Where the embedded store writes when `AUDIT_FILE` is not set. */
export const DEFAULT_AUDIT_FILE = "./data/audit.jsonl";

/**
 * The audit store the environment names: the JSON-lines file at
 * `AUDIT_FILE` (default `./data/audit.jsonl`, relative to the working
 * directory).
 */
export function auditStoreFromEnv(env: NodeJS.ProcessEnv, options: { cwd?: string; warn?: (message: string) => void } = {}): AuditStore {
  const file = resolve(options.cwd ?? process.cwd(), env.AUDIT_FILE || DEFAULT_AUDIT_FILE);
  return new FileAuditStore(file, options.warn ? { warn: options.warn } : {});
}

/** The spool beside the store: `AUDIT_SPOOL_FILE`, or `<AUDIT_FILE>.spool`. */
export function auditSpoolFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): AuditSpool {
  const path = env.AUDIT_SPOOL_FILE || `${env.AUDIT_FILE || DEFAULT_AUDIT_FILE}.spool`;
  return new AuditSpool(resolve(cwd, path));
}

/** The app's audit trail, chosen once at start from the environment; call `start()` to drain an earlier spool. */
export function auditTrailFromEnv(env: NodeJS.ProcessEnv, log: AuditLogger): AuditTrail {
  const store = auditStoreFromEnv(env, { warn: (message) => log.warn({ store: "audit" }, message) });
  return new AuditTrail(store, auditSpoolFromEnv(env), { log });
}
