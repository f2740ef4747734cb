import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_AUDIT_FILE } from "../../audit/audit-trail-from-env.js";
import type { AuditStore } from "../../audit/audit-store.js";
import { FileAuditStore } from "../../audit/file-audit-store.js";
import { PostgresAuditStore } from "../../audit/postgres-audit-store.js";
import type { CliIo } from "../command.js";

/**
 * The store a command reads, opened read-only: `--file`, `--database-url`,
 * or else the app's own environment (`DATABASE_URL`, then `AUDIT_FILE`, then
 * `./data/audit.jsonl`). A string is a usage error to report.
 */
export function openAuditSource(options: { file?: string; databaseUrl?: string }, io: CliIo): AuditStore | string {
  if (options.file !== undefined && options.databaseUrl !== undefined) return "give either --file or --database-url, not both";
  const databaseUrl = options.file === undefined ? (options.databaseUrl ?? (io.env.DATABASE_URL || undefined)) : undefined;
  if (databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) return `--database-url must be a postgres:// URL`;
    return new PostgresAuditStore(databaseUrl, { readOnly: true, poolSize: 2 });
  }
  const file = resolve(io.cwd, options.file ?? (io.env.AUDIT_FILE || DEFAULT_AUDIT_FILE));
  if (!existsSync(file)) return `no audit file at ${file}`;
  return new FileAuditStore(file);
}
