import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENESIS_HASH, recordHash } from "../../src/audit/audit-chain.js";
import { AuditSpool } from "../../src/audit/audit-spool.js";
import { AuditTrail } from "../../src/audit/audit-trail.js";
import { PostgresAuditStore, redact } from "../../src/audit/postgres-audit-store.js";
import { startPostgres, type PostgresServer } from "../support/postgres.js";
import { AlreadyRecorded } from "../../src/audit/once-key.js";
import { expiryRecord, sampleRecord } from "./records.js";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;

describe("the PostgreSQL audit store (a real server)", () => {
  let server: PostgresServer;
  let databases = 0;
  const fresh = async () => server.createDatabase(`audit_${++databases}`);

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  async function all(store: PostgresAuditStore, filter = {}) {
    const out = [];
    for await (const r of store.query(filter)) out.push(r);
    return out;
  }

  it("creates its schema on first use and records each migration once, even when several stores start together", async () => {
    const url = await fresh();
    const stores = [new PostgresAuditStore(url), new PostgresAuditStore(url), new PostgresAuditStore(url)];
    await Promise.all(stores.map((s) => s.migrated()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const migrations = await client.query("SELECT version, name FROM agent_policy_migrations");
    const indexes = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'agent_policy_audit_records' ORDER BY indexname");
    await client.end();
    expect(migrations.rows).toEqual([
      { version: 1, name: expect.any(String) },
      { version: 2, name: expect.any(String) },
    ]);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(["agent_policy_audit_agents", "agent_policy_audit_decision", "agent_policy_audit_repository", "agent_policy_audit_rules", "agent_policy_audit_time"]),
    );
    await Promise.all(stores.map((s) => s.close()));
  });

  it("chains records, keeps them exactly, and filters queries in SQL", async () => {
    const store = new PostgresAuditStore(await fresh());
    expect(await store.head()).toBeUndefined();
    const a = await store.append(sampleRecord({ time: "2026-11-01T00:00:00.000Z" }));
    const b = await store.append(sampleRecord({ repository: "Acme/Web", agents: [{ key: "copilot", declared: true }], decision: "allow", ruleIds: [], findings: [], time: "2026-11-02T00:00:00.000Z" }));
    const c = await store.append(sampleRecord({ decision: "step_up", ruleIds: ["step-up"], time: "2026-11-03T00:00:00.000Z", ref: "ünïcode ✓" }));
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(b.prevHash).toBe(a.hash);
    expect(await store.head()).toEqual({ seq: 3, hash: c.hash });
    const stored = await all(store);
    expect(stored).toEqual([a, b, c]);
    expect(stored.map((r) => recordHash(r) === r.hash)).toEqual([true, true, true]);
    expect((await all(store, { repository: "acme/web" })).map((r) => r.seq)).toEqual([2]);
    expect((await all(store, { agent: "devin" })).map((r) => r.seq)).toEqual([1, 3]);
    expect((await all(store, { decision: "step_up" })).map((r) => r.seq)).toEqual([3]);
    expect((await all(store, { ruleId: "secret-file" })).map((r) => r.seq)).toEqual([1]);
    expect((await all(store, { since: new Date("2026-11-02T00:00:00Z"), until: new Date("2026-11-03T00:00:00Z") })).map((r) => r.seq)).toEqual([2]);
    expect(await store.verify()).toMatchObject({ ok: true, records: 3 });
    await store.close();
  });

  it("refuses UPDATE and DELETE of records", async () => {
    const url = await fresh();
    const store = new PostgresAuditStore(url);
    await store.append(sampleRecord());
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await expect(client.query("UPDATE agent_policy_audit_records SET decision = 'allow'")).rejects.toThrow("append-only");
    await expect(client.query("DELETE FROM agent_policy_audit_records")).rejects.toThrow("append-only");
    await expect(client.query("TRUNCATE agent_policy_audit_records")).rejects.toThrow("append-only");
    await client.end();
    await store.close();
  });

  it("keeps a grant's expiry once, however many stores record it at once, and finds grant records by action", async () => {
    const url = await fresh();
    await new PostgresAuditStore(url).migrated();
    const stores = [new PostgresAuditStore(url), new PostgresAuditStore(url), new PostgresAuditStore(url)];
    await stores[0]!.append(sampleRecord({ grantAction: "granted", commandCommentId: 5501, decision: "allow", response: "grant_reply" }));
    // Each instance records the same expiry (and an expiry of another grant, and a plain decision) at the same time.
    const attempts = await Promise.allSettled(stores.flatMap((s, i) => [s.append(expiryRecord(5501, { deliveryId: `timer-${i}` })), s.append(sampleRecord({ deliveryId: `decision-${i}` }))]));
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.reason).toBeInstanceOf(AlreadyRecorded);
    await stores[1]!.append(expiryRecord(5502));
    // The same comment id on another pull request is another grant.
    await stores[2]!.append(expiryRecord(5501, { pullRequest: 12 }));
    const expiries = await all(stores[0]!, { grantActions: ["expired"] });
    expect(expiries.map((r) => [r.pullRequest, r.commandCommentId])).toEqual([
      [11, 5501],
      [11, 5502],
      [12, 5501],
    ]);
    const winner = expiries[0]!;
    for (const r of refused) expect((r.reason as AlreadyRecorded).existing).toMatchObject({ seq: winner.seq, hash: winner.hash });
    expect((await all(stores[0]!, { grantActions: ["granted", "revoked"] })).map((r) => r.grantAction)).toEqual(["granted"]);
    expect(await stores[0]!.verify()).toMatchObject({ ok: true, records: 7 });
    await Promise.all(stores.map((s) => s.close()));
  });

  it("keeps one intact chain while several processes append at once", async () => {
    expect(existsSync(`${root}dist/audit/postgres-audit-store.js`), "run the build first (npm test does)").toBe(true);
    const url = await fresh();
    await new PostgresAuditStore(url).migrated();
    const writers = ["w1", "w2", "w3", "w4"];
    const perWriter = 30;
    const outputs = await Promise.all(writers.map((w) => run(process.execPath, [`${root}test/support/audit-writer.mjs`, url, w, String(perWriter)], { cwd: root })));
    const results = outputs.map((o) => JSON.parse(o.stdout) as { writer: string; seqs: number[] });
    const seqs = results.flatMap((r) => r.seqs).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: writers.length * perWriter }, (_, i) => i + 1));
    const store = new PostgresAuditStore(url);
    expect(await store.verify()).toMatchObject({ ok: true, records: writers.length * perWriter, head: { seq: writers.length * perWriter } });
    const deliveries = (await all(store)).map((r) => r.deliveryId).sort();
    expect(new Set(deliveries).size).toBe(writers.length * perWriter);
    await store.close();
  }, 120_000);

  it("spools records while the database refuses them and writes them, in order, once it takes them", async () => {
    const name = `audit_late_${Date.now()}`;
    const store = new PostgresAuditStore(server.urlFor(name));
    const errors: string[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: (_o: object, msg: string) => void errors.push(msg) };
    const trail = new AuditTrail(store, new AuditSpool(join(mkdtempSync(join(tmpdir(), "agent-policy-pg-spool-")), "spool.jsonl")), { log, retryBaseMs: 60_000 });
    await trail.start();
    expect(await trail.write(log, sampleRecord({ deliveryId: "while-down-1" }))).toBeUndefined();
    expect(await trail.write(log, sampleRecord({ deliveryId: "while-down-2" }))).toBeUndefined();
    expect(errors).toEqual([expect.stringContaining("could not write the audit record")]);
    await server.createDatabase(name);
    expect(await trail.flush()).toBe(true);
    expect(await trail.write(log, sampleRecord({ deliveryId: "after" }))).toMatchObject({ seq: 3 });
    expect((await all(store)).map((r) => r.deliveryId)).toEqual(["while-down-1", "while-down-2", "after"]);
    expect(await store.verify()).toMatchObject({ ok: true, records: 3 });
    await trail.close();
  });

  it("reports an unreachable database as a store error that names it without its password", async () => {
    const store = new PostgresAuditStore("postgres://auditor:s3cret@127.0.0.1:1/nowhere");
    await expect(store.append(sampleRecord())).rejects.toThrow(/could not connect to postgres:\/\/auditor:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    expect(redact("postgres://a:b@h/d")).toBe("postgres://a:***@h/d");
    await store.close();
  });
});
