import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../src/audit/audit-chain.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { AlreadyRecorded } from "../../src/audit/once-key.js";
import { expiryRecord, sampleRecord } from "./records.js";

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), "agent-policy-file-store-")), "data", "audit.jsonl");
}

async function all(store: FileAuditStore, filter = {}) {
  const out = [];
  for await (const r of store.query(filter)) out.push(r);
  return out;
}

describe("the JSON-lines audit store", () => {
  it("creates its directory, writes one line per record and keeps the head beside it", async () => {
    const path = tempFile();
    const store = new FileAuditStore(path);
    const first = await store.append(sampleRecord());
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual(first);
    expect(JSON.parse(readFileSync(`${path}.head`, "utf8"))).toEqual({ seq: 1, hash: first.hash });
    await store.close();
  });

  it("serialises concurrent appends into one intact chain", async () => {
    const store = new FileAuditStore(tempFile());
    const written = await Promise.all(Array.from({ length: 60 }, (_, i) => store.append(sampleRecord({ deliveryId: `d-${i}` }))));
    expect(written.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await store.verify()).toMatchObject({ ok: true, records: 60, head: { seq: 60 } });
    await store.close();
  });

  it("continues the same chain after a restart", async () => {
    const path = tempFile();
    const before = new FileAuditStore(path);
    await before.append(sampleRecord());
    const last = await before.append(sampleRecord({ deliveryId: "d-2" }));
    await before.close();
    const after = new FileAuditStore(path);
    expect(await after.head()).toEqual({ seq: 2, hash: last.hash });
    const next = await after.append(sampleRecord({ deliveryId: "d-3" }));
    expect(next).toMatchObject({ seq: 3, prevHash: last.hash });
    expect(await after.verify()).toMatchObject({ ok: true, records: 3 });
    await after.close();
  });

  it("moves a record cut off by a crash aside and goes on from the last complete one", async () => {
    const path = tempFile();
    const first = new FileAuditStore(path);
    const kept = await first.append(sampleRecord());
    await first.close();
    appendFileSync(path, '{"seq":2,"prevHash":"');
    const warnings: string[] = [];
    const store = new FileAuditStore(path, { warn: (m) => warnings.push(m) });
    expect(await store.append(sampleRecord({ deliveryId: "d-2" }))).toMatchObject({ seq: 2, prevHash: kept.hash });
    expect(readFileSync(`${path}.torn`, "utf8")).toBe('{"seq":2,"prevHash":"\n');
    expect(warnings).toEqual([expect.stringContaining("cut off by a crash")]);
    expect(await store.verify()).toMatchObject({ ok: true, records: 2 });
    await store.close();
  });

  it("refuses to continue a file whose last line is not a record, rather than start a second chain", async () => {
    const path = tempFile();
    const store = new FileAuditStore(path);
    await store.append(sampleRecord());
    await store.close();
    appendFileSync(path, "not json\n");
    const reopened = new FileAuditStore(path);
    await expect(reopened.append(sampleRecord())).rejects.toThrow("is not a chained record");
    await expect(reopened.append(sampleRecord())).rejects.toThrow("is not a chained record");
  });

  it("keeps a grant's expiry once, across restarts and a second writer, and finds grant records by action", async () => {
    const path = tempFile();
    const store = new FileAuditStore(path);
    await store.append(sampleRecord({ grantAction: "granted", commandCommentId: 5501, decision: "allow" }));
    await store.append(expiryRecord(5501));
    await expect(store.append(expiryRecord(5501, { deliveryId: "again" }))).rejects.toBeInstanceOf(AlreadyRecorded);
    await store.close();
    const reopened = new FileAuditStore(path);
    await reopened.append(sampleRecord());
    await expect(reopened.append(expiryRecord(5501, { deliveryId: "after-restart" }))).rejects.toMatchObject({ existing: { seq: 2 } });
    // A record another writer appended behind this store's back counts too.
    const other = new FileAuditStore(path);
    await other.append(expiryRecord(5502));
    await expect(reopened.append(expiryRecord(5502, { deliveryId: "late" }))).rejects.toBeInstanceOf(AlreadyRecorded);
    await other.close();
    expect((await all(reopened, { grantActions: ["expired"] })).map((r) => [r.seq, r.commandCommentId])).toEqual([
      [2, 5501],
      [4, 5502],
    ]);
    expect((await all(reopened, { grantActions: ["granted"] })).map((r) => r.seq)).toEqual([1]);
    expect(await reopened.verify()).toMatchObject({ ok: true, records: 4 });
    await reopened.close();
  });

  it("filters queries by repository, agent, decision, rule and time", async () => {
    const store = new FileAuditStore(tempFile());
    await store.append(sampleRecord({ time: "2026-11-01T00:00:00.000Z" }));
    await store.append(sampleRecord({ repository: "acme/web", agents: [{ key: "copilot", declared: true }], decision: "allow", ruleIds: [], findings: [], time: "2026-11-02T00:00:00.000Z" }));
    await store.append(sampleRecord({ decision: "step_up", ruleIds: ["step-up"], time: "2026-11-03T00:00:00.000Z" }));
    expect((await all(store, { repository: "ACME/web" })).map((r) => r.seq)).toEqual([2]);
    expect((await all(store, { agent: "devin" })).map((r) => r.seq)).toEqual([1, 3]);
    expect((await all(store, { decision: "step_up" })).map((r) => r.seq)).toEqual([3]);
    expect((await all(store, { ruleId: "secret-file" })).map((r) => r.seq)).toEqual([1]);
    expect((await all(store, { since: new Date("2026-11-02T00:00:00Z"), until: new Date("2026-11-03T00:00:00Z") })).map((r) => r.seq)).toEqual([2]);
    await store.close();
  });

  it("re-reads the tail when the file grew behind its back, so it does not fork the chain", async () => {
    const path = tempFile();
    const warnings: string[] = [];
    const a = new FileAuditStore(path, { warn: (m) => warnings.push(m) });
    await a.append(sampleRecord());
    const b = new FileAuditStore(path);
    const fromB = await b.append(sampleRecord({ deliveryId: "d-b" }));
    const fromA = await a.append(sampleRecord({ deliveryId: "d-a" }));
    expect(fromA).toMatchObject({ seq: 3, prevHash: fromB.hash });
    expect(warnings).toEqual([expect.stringContaining("changed outside this process")]);
    expect(await a.verify()).toMatchObject({ ok: true, records: 3 });
    await a.close();
    await b.close();
  });

  it("reads a head file that is missing as no recorded head, and a garbled one as an error", async () => {
    const path = tempFile();
    const store = new FileAuditStore(path);
    await store.append(sampleRecord());
    writeFileSync(`${path}.head`, "garbage");
    await expect(store.verify()).rejects.toThrow("is not a chain head");
    await store.close();
  });
});
