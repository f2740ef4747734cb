import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAuditStore } from "../../src/audit/postgres-audit-store.js";
import { runCli } from "../../src/cli/main.js";
import { sampleRecord } from "../audit/records.js";
import { startPostgres, type PostgresServer } from "../support/postgres.js";
import { captureIo, root } from "./io.js";

describe("agent-policy audit against PostgreSQL (a real server)", () => {
  let server: PostgresServer;
  let n = 0;

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** A database holding `count` records written by the app's store. */
  async function database(count: number): Promise<string> {
    const url = await server.createDatabase(`cli_${++n}`);
    const store = new PostgresAuditStore(url);
    for (let i = 0; i < count; i++) await store.append(sampleRecord({ deliveryId: `d-${i + 1}`, decision: i % 2 ? "allow" : "deny", repository: i % 2 ? "acme/web" : "acme/api" }));
    await store.close();
    return url;
  }

  /** Runs SQL as the database owner with the append-only triggers off: what a tamperer with owner rights can do. */
  async function tamper(url: string, sql: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("ALTER TABLE agent_policy_audit_records DISABLE TRIGGER USER");
    await client.query(sql);
    await client.end();
  }

  async function cli(env: Record<string, string>, ...args: string[]) {
    const io = captureIo({ cwd: root, env });
    const code = await runCli(["audit", ...args], io);
    return { code, out: io.out, err: io.err };
  }

  it("verifies an intact chain from --database-url or DATABASE_URL, and queries it", async () => {
    const url = await database(4);
    expect(await cli({}, "verify", "--database-url", url)).toMatchObject({ code: 0, out: expect.stringContaining("intact in postgres://postgres@127.0.0.1") });
    expect(await cli({ DATABASE_URL: url }, "verify")).toMatchObject({ code: 0, out: expect.stringContaining(": 4 records, head 4:") });
    const json = await cli({ DATABASE_URL: url }, "query", "--repo", "acme/web", "--format", "json");
    expect(json.out.split("\n").filter(Boolean).map((l) => JSON.parse(l).deliveryId)).toEqual(["d-2", "d-4"]);
    const bundle = await cli({ DATABASE_URL: url }, "export", "--since", "2026-01-01", "--format", "jsonl");
    expect(bundle.code).toBe(0);
    expect(JSON.parse(bundle.out.split("\n")[0]!)).toMatchObject({ records: 4, chainHead: { seq: 4 } });
  });

  const cases: [string, string, RegExp][] = [
    ["an edited record", `UPDATE agent_policy_audit_records SET record = jsonb_set(record, '{decision}', '"allow"') WHERE seq = 3`, /at record 3: edited/],
    ["a deleted record", `DELETE FROM agent_policy_audit_records WHERE seq = 2`, /at record 3: missing/],
    ["the newest records deleted", `DELETE FROM agent_policy_audit_records WHERE seq >= 4`, /truncated: the chain ends at record 3, but its head was recorded at record 5/],
    [
      "two records' places swapped",
      `UPDATE agent_policy_audit_records SET seq = 100 WHERE seq = 2; UPDATE agent_policy_audit_records SET seq = 2 WHERE seq = 3; UPDATE agent_policy_audit_records SET seq = 3 WHERE seq = 100`,
      /at record 2: edited/,
    ],
  ];
  for (const [what, sql, message] of cases) {
    it(`finds ${what} and exits 1`, async () => {
      const url = await database(5);
      await tamper(url, sql);
      const result = await cli({}, "verify", "--database-url", url);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(message);
    });
  }

  it("exits 2 when the database cannot be reached or holds no audit trail, and never creates one", async () => {
    const unreachable = await cli({}, "verify", "--database-url", "postgres://nobody:pw@127.0.0.1:1/none");
    expect(unreachable).toMatchObject({ code: 2, err: expect.stringContaining("could not") });
    expect(unreachable.err).not.toContain(":pw@");
    const empty = await server.createDatabase(`cli_empty_${++n}`);
    expect(await cli({}, "verify", "--database-url", empty)).toMatchObject({ code: 2, err: expect.stringContaining("has no audit records") });
    const client = new pg.Client({ connectionString: empty });
    await client.connect();
    const tables = await client.query("SELECT to_regclass('agent_policy_audit_records') AS t");
    await client.end();
    expect(tables.rows[0].t).toBeNull();
  });
});
