import { appendFile, mkdir, open, readFile, stat, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { chainRecord, type ChainHead, type ChainedAuditRecord } from "./audit-chain.js";
import type { AuditRecord } from "./audit-record.js";
import { AuditStoreError, matchesQuery, type AuditQuery, type AuditStore } from "./audit-store.js";
import { readLines, readTail } from "./file-lines.js";
import { AlreadyRecorded, onceKeyOf } from "./once-key.js";
import { ChainVerifier, type ChainVerification, type VerifyOptions } from "./verify-chain.js";

/** The head file beside the records: a fixed-width JSON line rewritten in place after each append. */
const HEAD_BYTES = 128;

export interface FileAuditStoreOptions {
  /** Told about repairs made when opening (a record cut off by a crash is moved aside). */
  warn?: (message: string) => void;
}

/**
 * The embedded audit store: one JSON object per line, appended to `path`.
 *
 * - Appends within the process are serialised (one queue), each written with
 *   one `write` and flushed to disk (`datasync`) before it resolves.
 * - On first use it reads the file's tail, so the chain continues across
 *   restarts. A last line cut off by a crash (never acknowledged) is moved to
 *   `<path>.torn` and the file cut back to its last complete record.
 * - Beside it, `<path>.head` holds the last record's seq and hash; `verify`
 *   checks that the chain still reaches it, which is how a truncated file is
 *   told from a short one.
 * - One process writes one file. If the file grows behind its back, the next
 *   append re-reads the tail and goes on from the real head (a fork made by a
 *   second writer shows up in `verify`). Several instances: use PostgreSQL.
 * - A record with a once key (`onceKeyOf`) is appended only if no record
 *   with that key is in the file (the keys are read with the tail).
 */
export class FileAuditStore implements AuditStore {
  readonly location: string;
  private handle: FileHandle | undefined;
  private ready: Promise<void> | undefined;
  private current: ChainHead | undefined;
  private size = 0;
  /** The once keys in the file, each with the record holding it. */
  private onceKeys = new Map<string, ChainedAuditRecord>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly options: FileAuditStoreOptions = {},
  ) {
    this.location = path;
  }

  get headPath(): string {
    return `${this.path}.head`;
  }

  append(record: AuditRecord): Promise<ChainedAuditRecord> {
    const result = this.queue.then(() => this.appendNow(record));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async *query(filter: AuditQuery = {}): AsyncIterable<ChainedAuditRecord> {
    if (!(await exists(this.path))) return;
    for await (const line of readLines(this.path)) {
      if (!line.complete || line.text.trim() === "") continue;
      let record: ChainedAuditRecord;
      try {
        record = JSON.parse(line.text);
      } catch (error) {
        throw new AuditStoreError(`${this.path}:${line.number} is not a JSON record; run 'agent-policy audit verify'`, { cause: error });
      }
      if (matchesQuery(record, filter)) yield record;
    }
  }

  async verify(options: Pick<VerifyOptions, "expectedHead"> = {}): Promise<ChainVerification> {
    await this.queue;
    if (!(await exists(this.path))) throw new AuditStoreError(`no audit file at ${this.path}`);
    const expectedHead = options.expectedHead ?? (await this.recordedHead());
    const verifier = new ChainVerifier({ firstSeq: 1, firstPrevHash: "0".repeat(64), ...(expectedHead ? { expectedHead } : {}) });
    for await (const line of readLines(this.path)) {
      if (!line.complete) {
        verifier.pushTruncated(line.number);
        continue;
      }
      let entry: unknown;
      try {
        entry = JSON.parse(line.text);
      } catch {
        entry = undefined;
      }
      verifier.push(entry, line.number);
    }
    return verifier.finish();
  }

  async head(): Promise<ChainHead | undefined> {
    if (this.ready) {
      await this.queue;
      await this.ready;
      return this.current;
    }
    if (!(await exists(this.path))) return undefined;
    const tail = await readTail(this.path);
    return tail.lastLine === undefined ? undefined : this.parseHead(tail.lastLine);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
    this.ready = undefined;
  }

  /** The head written beside the file, if any. */
  async recordedHead(): Promise<ChainHead | undefined> {
    let text: string;
    try {
      text = await readFile(this.headPath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new AuditStoreError(`could not read ${this.headPath}`, { cause: error });
    }
    try {
      const head = JSON.parse(text);
      if (Number.isSafeInteger(head.seq) && typeof head.hash === "string") return { seq: head.seq, hash: head.hash };
    } catch {
      // fall through
    }
    throw new AuditStoreError(`${this.headPath} is not a chain head; it should hold {"seq":…,"hash":…}`);
  }

  private async appendNow(record: AuditRecord): Promise<ChainedAuditRecord> {
    this.ready ??= this.openForAppend().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const handle = this.handle!;
    const { size } = await handle.stat();
    if (size !== this.size) {
      this.options.warn?.(`${this.path} changed outside this process (${this.size} → ${size} bytes); continuing the chain from its current end`);
      await this.loadTail();
    }
    const key = onceKeyOf(record);
    const existing = key === undefined ? undefined : this.onceKeys.get(key);
    if (key !== undefined && existing) throw new AlreadyRecorded(key, existing);
    const chained = chainRecord(record, this.current);
    const bytes = Buffer.from(`${JSON.stringify(chained)}\n`, "utf8");
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
      await handle.datasync();
    } catch (error) {
      // Undo a partial line so the next append starts on a line of its own.
      await handle.truncate(this.size).catch(() => undefined);
      throw new AuditStoreError(`could not append to ${this.path}`, { cause: error });
    }
    this.size += bytes.length;
    this.current = { seq: chained.seq, hash: chained.hash };
    if (key !== undefined) this.onceKeys.set(key, chained);
    await this.writeHead().catch((error) => this.options.warn?.(`could not update ${this.headPath}: ${(error as Error).message}`));
    return chained;
  }

  private async openForAppend(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      this.handle = await open(this.path, "a");
    } catch (error) {
      throw new AuditStoreError(`could not open ${this.path} for appending`, { cause: error });
    }
    await this.loadTail();
  }

  /** Reads the head from the file's last line; moves a cut-off last line aside first. */
  private async loadTail(): Promise<void> {
    const tail = await readTail(this.path);
    if (tail.completeBytes < tail.size) {
      const handle = await open(this.path, "r");
      const torn = Buffer.alloc(tail.size - tail.completeBytes);
      await handle.read(torn, 0, torn.length, tail.completeBytes).finally(() => handle.close());
      await appendFile(`${this.path}.torn`, Buffer.concat([torn, Buffer.from("\n")]));
      await this.handle!.truncate(tail.completeBytes);
      this.options.warn?.(`${this.path} ended with ${torn.length} bytes of a record cut off by a crash; moved them to ${this.path}.torn`);
    }
    this.size = tail.completeBytes;
    this.current = tail.lastLine === undefined ? undefined : this.parseHead(tail.lastLine);
    this.onceKeys = await this.readOnceKeys();
  }

  /** Every once key in the file; only lines that can hold one are parsed. */
  private async readOnceKeys(): Promise<Map<string, ChainedAuditRecord>> {
    const keys = new Map<string, ChainedAuditRecord>();
    for await (const line of readLines(this.path)) {
      if (!line.complete || !line.text.includes('"grantAction":"expired"')) continue;
      let record: ChainedAuditRecord;
      try {
        record = JSON.parse(line.text);
      } catch {
        continue;
      }
      const key = onceKeyOf(record);
      if (key !== undefined && !keys.has(key)) keys.set(key, record);
    }
    return keys;
  }

  private parseHead(line: string): ChainHead {
    try {
      const last = JSON.parse(line);
      if (Number.isSafeInteger(last.seq) && typeof last.hash === "string") return { seq: last.seq, hash: last.hash };
    } catch {
      // fall through
    }
    throw new AuditStoreError(`the last line of ${this.path} is not a chained record, so the chain cannot be continued; run 'agent-policy audit verify'`);
  }

  private async writeHead(): Promise<void> {
    // Fixed width, written in place at offset 0: a reader never sees an empty or half-replaced head.
    const text = JSON.stringify(this.current).padEnd(HEAD_BYTES - 1, " ") + "\n";
    const handle = await open(this.headPath, "r+").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return open(this.headPath, "w");
      throw error;
    });
    try {
      await handle.write(text, 0, "utf8");
    } finally {
      await handle.close();
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new AuditStoreError(`could not read ${path}`, { cause: error });
  }
}
