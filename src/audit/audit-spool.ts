import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuditRecord } from "./audit-record.js";

/**
 * Records the store could not take yet, in order, one JSON line each, on
 * disk beside the app. They are not chained: the store chains them when it
 * takes them, so the chain stays one unbroken sequence.
 */
export class AuditSpool {
  constructor(readonly path: string) {}

  /** The spooled records; a last line cut off by a crash is dropped (it was never acknowledged). */
  async load(): Promise<AuditRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const lines = text.split("\n");
    lines.pop();
    return lines.filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as AuditRecord);
  }

  /** Appends one record and flushes it to disk. */
  async add(record: AuditRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, "a");
    try {
      await handle.write(`${JSON.stringify(record)}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Replaces the spool with `records` (atomically: a new file renamed over it); removes it when empty. */
  async replace(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) {
      await rm(this.path, { force: true });
      return;
    }
    const temporary = `${this.path}.tmp`;
    const handle = await open(temporary, "w");
    try {
      await handle.write(records.map((r) => `${JSON.stringify(r)}\n`).join(""));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }
}
