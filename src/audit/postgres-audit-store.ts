import pg from "pg";
import { chainRecord, GENESIS_HASH, type ChainHead, type ChainedAuditRecord } from "./audit-chain.js";
import type { AuditRecord } from "./audit-record.js";
import { AuditStoreError, type AuditQuery, type AuditStore } from "./audit-store.js";
import { AlreadyRecorded, onceKeyOf } from "./once-key.js";
import { MIGRATIONS } from "./postgres-schema.js";
import { ChainVerifier, type ChainVerification, type VerifyOptions } from "./verify-chain.js";

/** Any number: the key of the advisory lock that lets one process at a time migrate. */
const MIGRATION_LOCK = 7_246_105_315;
const PAGE = 500;

interface Row {
  seq: string;
  prev_hash: string;
  hash: string;
  record: AuditRecord;
}

export interface PostgresAuditStoreOptions {
  /** Told about a connection that broke while idle (the pool replaces it). */
  warn?: (message: string) => void;
  /** At most this many connections (default 4). */
  poolSize?: number;
  /** Only read: never create or migrate the schema (the CLI); a database without it is an error. */
  readOnly?: boolean;
}

/**
 * The audit store in PostgreSQL (`DATABASE_URL`), for several app instances.
 *
 * The schema is created and migrated on first use (`MIGRATIONS`, under an
 * advisory lock, so instances starting together do not race). Each append
 * is one transaction that locks the single chain-head row (`SELECT … FOR
 * UPDATE`), links the record after it, inserts it and moves the head: any
 * number of processes appending at once still build one unbroken chain. A
 * trigger refuses UPDATE, DELETE and TRUNCATE of records, so changing one
 * takes a deliberate act by a database owner, which `verify` then reports.
 * A record with a once key (`onceKeyOf`) is looked up under that same head
 * lock and appended only if absent (a unique index backs it), so instances
 * recording the same expiry at once store it once.
 */
export class PostgresAuditStore implements AuditStore {
  readonly location: string;
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;

  constructor(
    connectionString: string,
    private readonly options: PostgresAuditStoreOptions = {},
  ) {
    this.location = redact(connectionString);
    this.pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
      application_name: "agent-policy",
    });
    this.pool.on("error", (error) => options.warn?.(`an idle audit database connection failed: ${error.message}`));
  }

  async append(record: AuditRecord): Promise<ChainedAuditRecord> {
    if (this.options.readOnly) throw new AuditStoreError("this audit store was opened read-only");
    await this.migrated();
    const client = await this.connect("append an audit record");
    const key = onceKeyOf(record);
    try {
      await client.query("BEGIN");
      const head = await client.query<{ seq: string; hash: string }>("SELECT seq, hash FROM agent_policy_audit_head WHERE id = 1 FOR UPDATE");
      const current = head.rows[0];
      if (!current) throw new AuditStoreError("the audit chain head row is missing");
      if (key !== undefined) {
        const found = await client.query<Row>("SELECT seq, prev_hash, hash, record FROM agent_policy_audit_records WHERE once_key = $1", [key]);
        const row = found.rows[0];
        if (row) {
          await client.query("COMMIT");
          throw new AlreadyRecorded(key, { ...row.record, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash });
        }
      }
      const seq = Number(current.seq);
      const chained = chainRecord(record, seq === 0 ? undefined : { seq, hash: current.hash });
      const { seq: _s, prevHash, hash, ...body } = chained;
      await client.query(
        `INSERT INTO agent_policy_audit_records (seq, prev_hash, hash, time, delivery_id, repository, event, decision, agents, rule_ids, record, once_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [chained.seq, prevHash, hash, record.time, record.deliveryId, record.repository, record.event, record.decision, record.agents.map((a) => a.key), record.ruleIds, body, key ?? null],
      );
      await client.query("UPDATE agent_policy_audit_head SET seq = $1, hash = $2 WHERE id = 1", [chained.seq, hash]);
      await client.query("COMMIT");
      return chained;
    } catch (error) {
      if (error instanceof AlreadyRecorded) throw error;
      await client.query("ROLLBACK").catch(() => undefined);
      throw error instanceof AuditStoreError ? error : new AuditStoreError(`could not append the audit record to ${this.location}: ${(error as Error).message}`, { cause: error });
    } finally {
      client.release();
    }
  }

  async *query(filter: AuditQuery = {}): AsyncIterable<ChainedAuditRecord> {
    await this.migrated();
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length + 1}`;
    };
    if (filter.repository !== undefined) where.push(`lower(repository) = lower(${param(filter.repository)})`);
    if (filter.agent !== undefined) where.push(`agents @> ARRAY[${param(filter.agent)}]::text[]`);
    if (filter.decision !== undefined) where.push(`decision = ${param(filter.decision)}`);
    if (filter.ruleId !== undefined) where.push(`rule_ids @> ARRAY[${param(filter.ruleId)}]::text[]`);
    if (filter.since !== undefined) where.push(`time >= ${param(filter.since.toISOString())}`);
    if (filter.until !== undefined) where.push(`time < ${param(filter.until.toISOString())}`);
    if (filter.grantActions !== undefined) where.push(`record ? 'grantAction' AND record->>'grantAction' = ANY(${param([...filter.grantActions])}::text[])`);
    yield* this.pages(where.join(" AND "), values);
  }

  async verify(options: Pick<VerifyOptions, "expectedHead"> = {}): Promise<ChainVerification> {
    await this.migrated();
    const recorded = await this.head();
    const expectedHead = options.expectedHead ?? recorded;
    const verifier = new ChainVerifier({ firstSeq: 1, firstPrevHash: GENESIS_HASH, ...(expectedHead ? { expectedHead } : {}) });
    for await (const record of this.pages("", [])) verifier.push(record);
    return verifier.finish();
  }

  async head(): Promise<ChainHead | undefined> {
    await this.migrated();
    const result = await this.run("read the audit chain head", "SELECT seq, hash FROM agent_policy_audit_head WHERE id = 1");
    const row = result.rows[0] as { seq: string; hash: string } | undefined;
    return row && Number(row.seq) > 0 ? { seq: Number(row.seq), hash: row.hash } : undefined;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Creates or migrates the schema once per store (read-only: checks it is there); a failure is retried on the next call. */
  migrated(): Promise<void> {
    this.ready ??= (this.options.readOnly ? this.expectSchema() : this.migrate()).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async expectSchema(): Promise<void> {
    const result = await this.run("look for the audit schema", "SELECT to_regclass('agent_policy_audit_records') AS records");
    if (!result.rows[0]?.records) throw new AuditStoreError(`${this.location} has no audit records (no agent_policy_audit_records table)`);
  }

  private async migrate(): Promise<void> {
    const client = await this.connect("migrate the audit schema");
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query(
        "CREATE TABLE IF NOT EXISTS agent_policy_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
      );
      const done = new Set((await client.query<{ version: number }>("SELECT version FROM agent_policy_migrations")).rows.map((r) => r.version));
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query("INSERT INTO agent_policy_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw new AuditStoreError(`could not create or migrate the audit schema in ${this.location}: ${(error as Error).message}`, { cause: error });
    } finally {
      client.release();
    }
  }

  /** Records in seq order, a page at a time (keyset pagination: no cursor held between pages). */
  private async *pages(where: string, values: unknown[]): AsyncIterable<ChainedAuditRecord> {
    let after = 0;
    for (;;) {
      const sql = `SELECT seq, prev_hash, hash, record FROM agent_policy_audit_records WHERE seq > $1${where ? ` AND ${where}` : ""} ORDER BY seq LIMIT ${PAGE}`;
      const result = await this.run("read audit records", sql, [after, ...values]);
      const rows = result.rows as Row[];
      for (const row of rows) yield { ...row.record, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  private async run(what: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(sql, values);
    } catch (error) {
      throw new AuditStoreError(`could not ${what} in ${this.location}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async connect(what: string): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new AuditStoreError(`could not connect to ${this.location} to ${what}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The URL without its password, for messages and logs. */
export function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "the audit database";
  }
}
