import { describe, expect, it } from "vitest";
import { chainRecord, GENESIS_HASH, recordHash, storableRecord } from "../../src/audit/audit-chain.js";
import type { AuditRecord } from "../../src/audit/audit-record.js";
import { canonicalJson } from "../../src/audit/canonical-json.js";
import { ChainVerifier } from "../../src/audit/verify-chain.js";
import { sampleRecord } from "./records.js";

function chain(n: number) {
  const records = [];
  let head;
  for (let i = 0; i < n; i++) {
    const r = chainRecord(sampleRecord({ deliveryId: `d-${i + 1}` }), head);
    head = { seq: r.seq, hash: r.hash };
    records.push(r);
  }
  return records;
}

function verify(entries: unknown[], expectedHead?: { seq: number; hash: string }) {
  const v = new ChainVerifier({ firstSeq: 1, firstPrevHash: GENESIS_HASH, ...(expectedHead ? { expectedHead } : {}) });
  entries.forEach((e, i) => v.push(e, i + 1));
  return v.finish();
}

describe("canonical JSON", () => {
  it("sorts members at every depth, drops undefined members and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" }, u: undefined })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it("gives the hash another implementation computes (Python: json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False))", () => {
    const entry = { ...sampleRecord(), seq: 1, prevHash: GENESIS_HASH, note: "é ✓ \u2028" } as unknown as Parameters<typeof recordHash>[0];
    delete (entry as Partial<AuditRecord>).installationId;
    delete (entry as Partial<AuditRecord>).actor;
    delete (entry as Partial<AuditRecord>).pullRequest;
    delete (entry as Partial<AuditRecord>).mode;
    delete (entry as Partial<AuditRecord>).conclusion;
    expect(recordHash(entry)).toBe("9fa2bffd52872da2961c124ff21380f2633ee596178d9334e0260b4501266738");
  });
});

describe("the hash chain", () => {
  it("numbers records from 1, links each to the previous hash and hashes everything but the hash", () => {
    const [a, b] = chain(2);
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prevHash: a!.hash });
    expect(recordHash(b!)).toBe(b!.hash);
    expect(verify(chain(5))).toEqual({ ok: true, records: 5, head: { seq: 5, hash: chain(5)[4]!.hash } });
  });

  it("makes records storable: NUL and unpaired surrogates become U+FFFD, undefined members go", () => {
    const record = storableRecord(sampleRecord({ ref: "a\u0000b\ud800c", action: undefined }));
    expect(record.ref).toBe("a\ufffdb\ufffdc");
    expect(record).not.toHaveProperty("action");
    expect(storableRecord(sampleRecord({ ref: "😀" })).ref).toBe("😀");
  });

  it("reports an edited record", () => {
    const records = chain(4);
    records[1] = { ...records[1]!, decision: "allow" };
    expect(verify(records).break).toMatchObject({ kind: "edited", seq: 2, line: 2 });
  });

  it("reports a deleted record as missing", () => {
    const records = chain(4);
    records.splice(2, 1);
    expect(verify(records).break).toMatchObject({ kind: "missing", seq: 4, message: "records 3 are missing before record 4" });
  });

  it("reports swapped records as reordered", () => {
    const records = chain(5);
    [records[1], records[2]] = [records[2]!, records[1]!];
    expect(verify(records).break).toMatchObject({ kind: "reordered", seq: 3 });
    expect(verify([...chain(3), chain(3)[2]]).break).toMatchObject({ kind: "reordered", seq: 3, line: 4 });
  });

  it("reports a record changed and re-hashed by its successor's broken link", () => {
    const records = chain(4);
    const forged = { ...records[1]!, decision: "allow" as const };
    records[1] = { ...forged, hash: recordHash(forged) };
    expect(verify(records).break).toMatchObject({ kind: "broken-link", seq: 3 });
  });

  it("reports a chain that stops before its recorded head, or that was rewritten after it", () => {
    const records = chain(5);
    const head = { seq: 5, hash: records[4]!.hash };
    expect(verify(records.slice(0, 3), head).break).toMatchObject({ kind: "truncated", message: expect.stringContaining("records 4–5 were removed") });
    expect(verify([], head).break).toMatchObject({ kind: "truncated" });
    expect(verify(records, { seq: 3, hash: "f".repeat(64) }).break).toMatchObject({ kind: "head-mismatch", seq: 3 });
    expect(verify(records, head).ok).toBe(true);
  });

  it("reports a line that is not a chained record", () => {
    expect(verify([chain(1)[0], { hello: "world" }]).break).toMatchObject({ kind: "malformed", line: 2 });
  });
});
