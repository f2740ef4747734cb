import type { ChainedAuditRecord } from "./audit-chain.js";
import { storableRecord } from "./audit-chain.js";
import type { AuditRecord } from "./audit-record.js";
import type { AuditSpool } from "./audit-spool.js";
import type { AuditStore } from "./audit-store.js";
import { AlreadyRecorded } from "./once-key.js";

/** The part of a logger the trail uses (Probot's pino logger fits). */
export interface AuditLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditTrailOptions {
  /** For what happens outside a delivery: draining the spool, retries. */
  log: AuditLogger;
  /** First retry after this many ms, doubling up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/**
 * Where every audit record goes: one JSON log line and the audit store.
 *
 * A store failure is never silent and never loses the record: it is logged
 * as an error, the record is spooled to disk, and the spool is written to the
 * store later (retried with backoff; on start the spool is drained before
 * any new record). While records wait in the spool, new ones queue behind
 * them, so the chain keeps the order they were made in. `write` never throws:
 * the GitHub outcome has been posted already, and the delivery goes on.
 */
export class AuditTrail {
  private pending: AuditRecord[] = [];
  private serial: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    readonly store: AuditStore,
    private readonly spool: AuditSpool,
    private readonly options: AuditTrailOptions,
  ) {
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
  }

  /** Loads the spool a previous run left and writes it to the store before any new record. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      try {
        this.pending = [...(await this.spool.load()), ...this.pending];
      } catch (error) {
        this.options.log.error({ err: error, spool: this.spool.path }, "could not read the audit spool; its records stay there until it can be read");
      }
      if (this.pending.length > 0) {
        this.options.log.info({ spooled: this.pending.length, spool: this.spool.path }, "writing spooled audit records to the audit store");
        await this.drainNow();
      }
    });
  }

  /**
   * Logs the record (the `audit` field of one JSON line; `extra` goes beside
   * it) and appends it to the store. Resolves with the chained record, or
   * undefined when it was spooled.
   */
  write(log: AuditLogger, record: AuditRecord, extra: object = {}): Promise<ChainedAuditRecord | undefined> {
    const storable = storableRecord(record);
    return this.enqueue(async () => {
      if (this.pending.length === 0 && !this.closed) {
        try {
          const chained = await this.store.append(storable);
          log.info({ audit: chained, ...extra }, summary(chained));
          return chained;
        } catch (error) {
          if (error instanceof AlreadyRecorded) {
            log.info({ onceKey: error.key, seq: error.existing.seq, deliveryId: storable.deliveryId }, "the audit store already holds this record; not written again");
            return error.existing;
          }
          log.error(
            { err: error, deliveryId: storable.deliveryId, store: this.store.location },
            `could not write the audit record to the audit store; spooling it to ${this.spool.path} and retrying`,
          );
        }
      }
      await this.addToSpool(log, storable);
      log.info({ audit: storable, auditSpooled: true, ...extra }, summary(storable));
      this.scheduleRetry();
      return undefined;
    }) as Promise<ChainedAuditRecord | undefined>;
  }

  /** Records waiting for the store. */
  get spooled(): number {
    return this.pending.length;
  }

  /** Tries to write the spool now; true when nothing is left waiting. */
  flush(): Promise<boolean> {
    return this.enqueue(() => this.drainNow()) as Promise<boolean>;
  }

  /** Stops retrying, tries the spool once more and closes the store; what is still spooled stays on disk for the next start. */
  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.flush();
    this.closed = true;
    await this.enqueue(() => this.store.close());
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.serial.then(operation);
    this.serial = result.catch(() => undefined);
    return result;
  }

  private async addToSpool(log: AuditLogger, record: AuditRecord): Promise<void> {
    this.pending.push(record);
    try {
      await this.spool.add(record);
    } catch (error) {
      log.error(
        { err: error, audit: record, spool: this.spool.path },
        "could not spool the audit record either; it is kept in memory and written when the store answers",
      );
    }
  }

  private async drainNow(): Promise<boolean> {
    while (this.pending.length > 0) {
      const record = this.pending[0]!;
      let chained: ChainedAuditRecord;
      try {
        chained = await this.store.append(record);
      } catch (error) {
        if (error instanceof AlreadyRecorded) {
          this.pending.shift();
          await this.spool.replace(this.pending).catch((cause: unknown) => this.options.log.error({ err: cause, spool: this.spool.path }, "could not rewrite the audit spool after dropping a record the store already held"));
          this.options.log.info({ onceKey: error.key, seq: error.existing.seq }, "a spooled audit record was already in the store; dropped from the spool");
          continue;
        }
        this.failures += 1;
        this.options.log.error(
          { err: error, spooled: this.pending.length, store: this.store.location },
          "the audit store is still failing; spooled audit records wait for the next retry",
        );
        this.scheduleRetry();
        return false;
      }
      this.pending.shift();
      try {
        await this.spool.replace(this.pending);
      } catch (error) {
        this.options.log.error({ err: error, spool: this.spool.path }, "could not rewrite the audit spool after writing a record from it");
      }
      this.options.log.info({ audit: chained, fromSpool: true }, `spooled audit record stored: ${summary(chained)}`);
    }
    this.failures = 0;
    return true;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(this.failures, 20));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush().catch((error) => this.options.log.error({ err: error }, "retrying the audit spool failed"));
    }, delay);
    this.retryTimer.unref();
  }
}

/** The log message: the decision in words, for people reading plain logs. */
function summary(record: AuditRecord): string {
  return `agent-policy ${record.event}${record.action ? `.${record.action}` : ""}: ${record.decision} → ${record.response}${record.conclusion ? ` (${record.conclusion})` : ""}${record.responded ? "" : " FAILED"}`;
}
