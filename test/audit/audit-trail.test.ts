import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditSpool } from "../../src/audit/audit-spool.js";
import { AuditTrail, type AuditLogger } from "../../src/audit/audit-trail.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { expiryRecord, sampleRecord } from "./records.js";

function capture(): AuditLogger & { lines: { level: string; obj: any; msg: string }[] } {
  const lines: { level: string; obj: any; msg: string }[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => lines.push({ level: "error", obj, msg }),
  };
}

/**
 * A store that fails for real: its directory's place is taken by a file, so
 * it cannot be created (ENOTDIR), until `heal()` removes that file.
 */
function blockedStore() {
  const root = mkdtempSync(join(tmpdir(), "agent-policy-trail-"));
  writeFileSync(join(root, "data"), "in the way");
  const path = join(root, "data", "audit.jsonl");
  return {
    path,
    spool: new AuditSpool(join(root, "spool.jsonl")),
    heal: () => {
      rmSync(join(root, "data"));
      mkdirSync(join(root, "data"));
    },
  };
}

async function stored(path: string) {
  const out = [];
  for await (const r of new FileAuditStore(path).query()) out.push(r);
  return out;
}

describe("the audit trail", () => {
  it("logs each record with its place in the chain, as stored", async () => {
    const root = mkdtempSync(join(tmpdir(), "agent-policy-trail-"));
    const log = capture();
    const trail = new AuditTrail(new FileAuditStore(join(root, "audit.jsonl")), new AuditSpool(join(root, "spool")), { log });
    await trail.start();
    const chained = await trail.write(log, sampleRecord(), { checkRunCreated: true });
    expect(log.lines).toEqual([{ level: "info", obj: { audit: chained, checkRunCreated: true }, msg: "agent-policy pull_request.opened: deny → check_run (failure)" }]);
    expect(await stored(join(root, "audit.jsonl"))).toEqual([chained]);
    await trail.close();
  });

  it("writes a grant's expiry once: a second copy, written or spooled while the store was down, is not stored again", async () => {
    const { path, spool, heal } = blockedStore();
    const log = capture();
    const trail = new AuditTrail(new FileAuditStore(path), spool, { log, retryBaseMs: 60_000 });
    await trail.start();
    // The store is down: this instance's copy waits in the spool, while another (here: a store on the same file, once healed) records it.
    expect(await trail.write(log, expiryRecord(5501, { deliveryId: "timer" }))).toBeUndefined();
    heal();
    const other = new FileAuditStore(path);
    const first = await other.append(expiryRecord(5501, { deliveryId: "sweep" }));
    await other.close();
    expect(await trail.flush()).toBe(true);
    expect(log.lines.map((l) => l.msg)).toContain("a spooled audit record was already in the store; dropped from the spool");
    expect(trail.spooled).toBe(0);
    // Written again directly: the stored one is returned, nothing appended.
    expect(await trail.write(log, expiryRecord(5501, { deliveryId: "again" }))).toMatchObject({ seq: first.seq, deliveryId: "sweep" });
    expect((await stored(path)).map((r) => r.deliveryId)).toEqual(["sweep"]);
    await trail.close();
  });

  it("never loses a record the store refuses: logs the failure, spools it, and writes it in order once the store answers", async () => {
    const { path, spool, heal } = blockedStore();
    const log = capture();
    const trail = new AuditTrail(new FileAuditStore(path), spool, { log, retryBaseMs: 60_000 });
    await trail.start();
    expect(await trail.write(log, sampleRecord({ deliveryId: "d-1" }))).toBeUndefined();
    expect(await trail.write(log, sampleRecord({ deliveryId: "d-2" }))).toBeUndefined();
    expect(log.lines.filter((l) => l.level === "error")).toEqual([
      expect.objectContaining({ obj: expect.objectContaining({ deliveryId: "d-1", err: expect.objectContaining({ message: expect.stringContaining("could not open") }) }), msg: expect.stringContaining("spooling it") }),
    ]);
    expect(log.lines.filter((l) => l.obj.auditSpooled).map((l) => l.obj.audit.deliveryId)).toEqual(["d-1", "d-2"]);
    expect(trail.spooled).toBe(2);
    expect((await spool.load()).map((r) => r.deliveryId)).toEqual(["d-1", "d-2"]);

    expect(await trail.flush()).toBe(false);
    heal();
    expect(await trail.flush()).toBe(true);
    await trail.write(log, sampleRecord({ deliveryId: "d-3" }));
    const records = await stored(path);
    expect(records.map((r) => [r.seq, r.deliveryId])).toEqual([[1, "d-1"], [2, "d-2"], [3, "d-3"]]);
    expect(await new FileAuditStore(path).verify()).toMatchObject({ ok: true, records: 3 });
    expect(existsSync(spool.path)).toBe(false);
    await trail.close();
  });

  it("retries by itself with backoff", async () => {
    const { path, spool, heal } = blockedStore();
    const log = capture();
    const trail = new AuditTrail(new FileAuditStore(path), spool, { log, retryBaseMs: 20, retryMaxMs: 40 });
    await trail.start();
    await trail.write(log, sampleRecord());
    heal();
    const deadline = Date.now() + 5000;
    while (!log.lines.some((l) => l.obj.fromSpool) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(trail.spooled).toBe(0);
    expect(log.lines.some((l) => l.obj.fromSpool && l.obj.audit.seq === 1)).toBe(true);
    await trail.close();
  });

  it("on start, writes what an earlier run spooled before any new record", async () => {
    const root = mkdtempSync(join(tmpdir(), "agent-policy-trail-"));
    const spool = new AuditSpool(join(root, "spool.jsonl"));
    await spool.add(sampleRecord({ deliveryId: "from-last-run" }));
    const path = join(root, "audit.jsonl");
    const log = capture();
    const trail = new AuditTrail(new FileAuditStore(path), spool, { log });
    const started = trail.start();
    const written = trail.write(log, sampleRecord({ deliveryId: "new" }));
    await Promise.all([started, written]);
    expect((await stored(path)).map((r) => r.deliveryId)).toEqual(["from-last-run", "new"]);
    expect(existsSync(spool.path)).toBe(false);
    await trail.close();
  });

  it("keeps a record in memory, loudly, when it can neither store nor spool it", async () => {
    const { path, heal } = blockedStore();
    const root = mkdtempSync(join(tmpdir(), "agent-policy-trail-"));
    writeFileSync(join(root, "file"), "x");
    const log = capture();
    const trail = new AuditTrail(new FileAuditStore(path), new AuditSpool(join(root, "file", "spool.jsonl")), { log, retryBaseMs: 60_000 });
    await trail.start();
    await trail.write(log, sampleRecord({ deliveryId: "kept" }));
    expect(log.lines.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([
      expect.stringContaining("could not read the audit spool"),
      expect.stringContaining("spooling it"),
      expect.stringContaining("could not spool the audit record either"),
    ]);
    expect(log.lines.find((l) => l.msg.includes("either"))!.obj.audit.deliveryId).toBe("kept");
    heal();
    await trail.flush();
    expect((await stored(path)).map((r) => r.deliveryId)).toEqual(["kept"]);
    expect(readFileSync(path, "utf8")).toContain('"deliveryId":"kept"');
  });
});
