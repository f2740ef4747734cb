import { expect } from "vitest";
import type { ChainedAuditRecord } from "../../src/audit/audit-chain.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import type { AppProcess } from "./server-process.js";

/**
 * Each delivery in `expected` left that many records in the app's audit
 * store (one per webhook that decided something, none for the rest); every
 * record stored is one the app logged, and the reverse; none waits in the
 * spool; the chain is intact.
 */
export async function expectOneRecordPerWebhook(app: AppProcess, store: AuditStore, expected: Record<string, number>): Promise<ChainedAuditRecord[]> {
  const logged = () => app.logs.filter((l) => l.audit).map((l) => l.audit as ChainedAuditRecord);
  const wanted = Object.values(expected).reduce((a, b) => a + b, 0);
  const deadline = Date.now() + 10_000;
  while (logged().length < wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));

  const records: ChainedAuditRecord[] = [];
  for await (const r of store.query()) records.push(r);
  expect(records).toEqual([...logged()].sort((a, b) => a.seq - b.seq));
  for (const [delivery, count] of Object.entries(expected)) {
    expect({ delivery, count: records.filter((r) => r.deliveryId === delivery).length }).toEqual({ delivery, count });
  }
  expect(app.logs.filter((l) => l.auditSpooled)).toEqual([]);
  expect(await store.verify()).toMatchObject({ ok: true, records: records.length });
  return records;
}
