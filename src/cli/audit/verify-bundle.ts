import { createHash } from "node:crypto";
import { recordHash, type ChainHead } from "../../audit/audit-chain.js";
import type { AuditStore } from "../../audit/audit-store.js";
import { isChained } from "../../audit/verify-chain.js";
import { BUNDLE_KIND, parseCsv, type BundleHeader } from "./export-bundle.js";

export interface BundleCheck {
  ok: boolean;
  records: number;
  head?: ChainHead;
  /** The first problem found, in words. */
  problem?: string;
}

interface Claims {
  records: number;
  head?: ChainHead;
  /** seq → hash, as the bundle states them. */
  hashes: Map<number, string>;
}

/**
 * Checks an export bundle (JSON lines or CSV, as `audit export` writes them)
 * against the store: the bundle is whole (JSON lines: its digest, each
 * record's own hash and the links between consecutive records), the store's
 * chain is intact and still reaches the head the bundle recorded, and every
 * record in the bundle is the store's record at that seq.
 */
export async function verifyBundle(text: string, store: AuditStore): Promise<BundleCheck> {
  const parsed = text.startsWith(`{"bundle":"${BUNDLE_KIND}"`) ? readJsonl(text) : text.startsWith(`# ${BUNDLE_KIND}`) ? readCsv(text) : "not an agent-policy export bundle";
  if (typeof parsed === "string") return { ok: false, records: 0, problem: parsed };
  const fail = (problem: string): BundleCheck => ({ ok: false, records: parsed.records, ...(parsed.head ? { head: parsed.head } : {}), problem });

  const chain = await store.verify(parsed.head ? { expectedHead: parsed.head } : {});
  if (!chain.ok) return fail(`the store's chain does not verify against the bundle's head: ${chain.break!.kind}: ${chain.break!.message}`);
  const unseen = new Map(parsed.hashes);
  for await (const record of store.query()) {
    const claimed = unseen.get(record.seq);
    if (claimed === undefined) continue;
    if (claimed !== record.hash) return fail(`record ${record.seq} in the bundle is not the store's record ${record.seq}`);
    unseen.delete(record.seq);
  }
  if (unseen.size > 0) return fail(`record ${[...unseen.keys()][0]} of the bundle is not in the store`);
  return { ok: true, records: parsed.records, ...(parsed.head ? { head: parsed.head } : {}) };
}

function readJsonl(text: string): Claims | string {
  const newline = text.indexOf("\n");
  let header: BundleHeader;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    return "the bundle's first line is not its header";
  }
  const body = text.slice(newline + 1);
  if (createHash("sha256").update(body, "utf8").digest("hex") !== header.recordsSha256) return "the bundle's records do not match its digest: it was changed after export";
  const hashes = new Map<number, string>();
  let previous: { seq: number; hash: string } | undefined;
  for (const line of body.split("\n").filter((l) => l !== "")) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return "a line of the bundle is not JSON";
    }
    if (!isChained(record)) return "a line of the bundle is not a chained record";
    if (recordHash(record) !== record.hash) return `record ${record.seq} in the bundle does not match its hash`;
    if (previous && record.seq === previous.seq + 1 && record.prevHash !== previous.hash) return `record ${record.seq} in the bundle does not link to record ${previous.seq}`;
    hashes.set(record.seq, record.hash);
    previous = { seq: record.seq, hash: record.hash };
  }
  if (hashes.size !== header.records) return `the bundle says ${header.records} records but holds ${hashes.size}`;
  return { records: hashes.size, hashes, ...(header.chainHead ? { head: header.chainHead } : {}) };
}

function readCsv(text: string): Claims | string {
  const headMatch = /^# chainHead seq=(\d+) hash=([0-9a-f]{64})?\s*$/m.exec(text);
  const [columns, ...rows] = parseCsv(text);
  const seqAt = columns?.indexOf("seq") ?? -1;
  const hashAt = columns?.indexOf("hash") ?? -1;
  if (seqAt === -1 || hashAt === -1) return "the CSV bundle has no seq and hash columns";
  const hashes = new Map<number, string>();
  for (const row of rows) {
    const seq = Number(row[seqAt]);
    const hash = row[hashAt] ?? "";
    if (!Number.isSafeInteger(seq) || !/^[0-9a-f]{64}$/.test(hash)) return "a row of the CSV bundle has no valid seq and hash";
    hashes.set(seq, hash);
  }
  const head = headMatch && Number(headMatch[1]) > 0 && headMatch[2] ? { seq: Number(headMatch[1]), hash: headMatch[2] } : undefined;
  return { records: hashes.size, hashes, ...(head ? { head } : {}) };
}
