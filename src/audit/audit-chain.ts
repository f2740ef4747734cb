import { createHash } from "node:crypto";
import type { AuditRecord } from "./audit-record.js";
import { canonicalJson } from "./canonical-json.js";

/** `prevHash` of the first record of a chain. */
export const GENESIS_HASH = "0".repeat(64);

/** A record as the store keeps it: its place in the chain, the hash of the one before, and its own. */
export type ChainedAuditRecord = AuditRecord & {
  /** 1 for the first record, then +1 for each. */
  seq: number;
  prevHash: string;
  /** SHA-256, lower-case hex, of the canonical JSON of this object without `hash` (see `recordHash`). */
  hash: string;
};

/** The last record of a chain: what the next one links to. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The hash of a chained record: SHA-256 over the UTF-8 bytes of the
 * canonical JSON (`canonicalJson`) of every member except `hash` itself —
 * the record's fields together with `seq` and `prevHash`. Editing any field,
 * moving a record or re-linking it changes the hash.
 */
export function recordHash(entry: Omit<ChainedAuditRecord, "hash"> | ChainedAuditRecord): string {
  const { hash: _ignored, ...rest } = entry as ChainedAuditRecord;
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}

/** Links `record` after `head` (or starts the chain). */
export function chainRecord(record: AuditRecord, head: ChainHead | undefined): ChainedAuditRecord {
  const linked = { ...record, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? GENESIS_HASH };
  return { ...linked, hash: recordHash(linked) };
}

/** NUL, and UTF-16 surrogates that are not part of a pair. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes a record storable everywhere: strings become well-formed Unicode
 * without NUL characters (PostgreSQL's jsonb refuses both), members that are
 * `undefined` disappear. Done before hashing, so every store keeps the same bytes.
 */
export function storableRecord(record: AuditRecord): AuditRecord {
  return JSON.parse(JSON.stringify(record, (_key, value) => (typeof value === "string" ? value.replace(UNSTORABLE, "\ufffd") : value)));
}
