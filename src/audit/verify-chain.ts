import { GENESIS_HASH, recordHash, type ChainHead, type ChainedAuditRecord } from "./audit-chain.js";

/**
 * How a chain is broken, at the first record where it is:
 * - `malformed`: the line is not a chained record;
 * - `edited`: the record's content does not match its own hash;
 * - `missing`: records are absent (the sequence jumps);
 * - `reordered`: records are out of order or repeated;
 * - `broken-link`: `prevHash` is not the previous record's hash — a record
 *   was changed and re-hashed, or one was put in from elsewhere;
 * - `truncated`: the chain ends before its recorded head, or in the middle of a record;
 * - `head-mismatch`: the record at the recorded head's seq has another hash:
 *   the chain was rewritten after the head was recorded.
 */
export type ChainBreakKind = "malformed" | "edited" | "missing" | "reordered" | "broken-link" | "truncated" | "head-mismatch";

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The seq of the record where the break shows, when it has one. */
  seq?: number;
  /** 1-based line in a file store. */
  line?: number;
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Records read. */
  records: number;
  /** The last record read (on an intact chain: its head). */
  head?: ChainHead;
  /** The first break; absent when the chain is intact. */
  break?: ChainBreak;
}

export interface VerifyOptions {
  /** A head recorded elsewhere (the store's head file or row, an export bundle, a SIEM): the chain must reach it, with that hash. */
  expectedHead?: ChainHead;
  /** The seq the chain starts at (1 for a whole store; an export bundle may start later). */
  firstSeq?: number;
  /** The hash the first record links to, when known (GENESIS_HASH for a whole store). */
  firstPrevHash?: string;
}

/**
 * Walks a chain record by record (streaming: no record is kept) and reports
 * the first break. After a jump in the sequence it keeps reading only to tell
 * a missing record from a reordered one (the skipped seq turning up later).
 */
export class ChainVerifier {
  private records = 0;
  private last: ChainHead | undefined;
  private first: ChainBreak | undefined;
  private gap: { from: number; to: number } | undefined;
  private headSeen = false;

  constructor(private readonly options: VerifyOptions = { firstSeq: 1, firstPrevHash: GENESIS_HASH }) {}

  /** Feeds the next parsed line (`undefined` when it did not parse). */
  push(entry: unknown, line?: number): void {
    this.records += 1;
    const at = line === undefined ? {} : { line };
    if (this.first) {
      if (this.gap && isChained(entry) && entry.seq >= this.gap.from && entry.seq < this.gap.to) {
        this.first = { ...this.first, kind: "reordered", message: `record ${this.first.seq} comes before record ${entry.seq}: the records are out of order` };
        this.gap = undefined;
      }
      return;
    }
    if (!isChained(entry)) {
      this.first = { kind: "malformed", ...at, message: "not a chained audit record (seq, prevHash and hash are required)" };
      return;
    }
    const { seq } = entry;
    const expectedSeq = this.last ? this.last.seq + 1 : this.options.firstSeq;
    if (recordHash(entry) !== entry.hash) {
      this.first = { kind: "edited", seq, ...at, message: `record ${seq} does not match its hash: its content was changed` };
    } else if (expectedSeq !== undefined && seq > expectedSeq) {
      this.first = { kind: "missing", seq, ...at, message: `records ${range(expectedSeq, seq - 1)} are missing before record ${seq}` };
      this.gap = { from: expectedSeq, to: seq };
    } else if (expectedSeq !== undefined && seq < expectedSeq) {
      this.first = { kind: "reordered", seq, ...at, message: `record ${seq} comes after record ${this.last?.seq ?? "(start)"}: the records are out of order or repeated` };
    } else if (this.last ? entry.prevHash !== this.last.hash : this.options.firstPrevHash !== undefined && entry.prevHash !== this.options.firstPrevHash) {
      this.first = {
        kind: "broken-link",
        seq,
        ...at,
        message: this.last
          ? `record ${seq} does not link to record ${this.last.seq}: one of them was changed and re-hashed, or replaced`
          : `record ${seq} does not link to the start of the chain`,
      };
    } else if (this.options.expectedHead?.seq === seq && this.options.expectedHead.hash !== entry.hash) {
      this.first = { kind: "head-mismatch", seq, ...at, message: `record ${seq} is not the one recorded as the chain's head: the chain was rewritten` };
    }
    if (this.options.expectedHead?.seq === seq) this.headSeen = true;
    if (!this.first) this.last = { seq, hash: entry.hash };
  }

  /** A record cut off in the middle (a file that does not end with a complete line). */
  pushTruncated(line?: number): void {
    this.records += 1;
    this.first ??= { kind: "truncated", ...(line === undefined ? {} : { line }), message: "the last record is cut off: the store was truncated" };
  }

  finish(): ChainVerification {
    const expected = this.options.expectedHead;
    if (!this.first && expected && expected.seq > 0 && !this.headSeen) {
      const end = this.last?.seq ?? 0;
      this.first = {
        kind: "truncated",
        message: `the chain ends at record ${end}, but its head was recorded at record ${expected.seq}: records ${range(end + 1, expected.seq)} were removed`,
      };
    }
    return {
      ok: !this.first,
      records: this.records,
      ...(this.last ? { head: this.last } : {}),
      ...(this.first ? { break: this.first } : {}),
    };
  }
}

function range(from: number, to: number): string {
  return from === to ? `${from}` : `${from}–${to}`;
}

export function isChained(entry: unknown): entry is ChainedAuditRecord {
  if (typeof entry !== "object" || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return Number.isSafeInteger(e.seq) && (e.seq as number) > 0 && isHash(e.prevHash) && isHash(e.hash);
}

function isHash(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}
