import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** The part of a logger the lock uses. */
interface LockLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What became of one attempt to sweep under the lock. */
export type LockedRun = "ran" | "held elsewhere";

/**
 * Lets one app instance at a time run a periodic sweep. `run` calls `task`
 * only while this process holds the lock named `name`; the task's signal is
 * aborted if the lock is lost meanwhile, so it stops early.
 */
export interface SweepLock {
  /** Where the lock lives, for logs. */
  readonly kind: "process" | "redis";
  run(name: string, task: (signal: AbortSignal) => Promise<void>): Promise<LockedRun>;
  close(): Promise<void>;
}

/**
 * Without a shared store: one process, so every sweep runs (the sweeps of
 * one process never overlap: each sweeper runs one sweep at a time).
 */
export const processSweepLock: SweepLock = {
  kind: "process",
  run: async (_name, task) => {
    await task(new AbortController().signal);
    return "ran";
  },
  close: async () => undefined,
};

/** A failure to reach the lock's store, with what was being done. */
export class SweepLockError extends Error {
  override readonly name = "SweepLockError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Compare-and-act on the token: an instance only ever extends or deletes the lock it set itself.
const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface RedisSweepLockOptions {
  log: LockLogger;
  /** How long the lock outlives its holder's last renewal (default 2 minutes); renewed every third of it while the sweep runs. */
  ttlMs?: number;
  /** Key prefix (default `agent-policy:sweep:`). */
  prefix?: string;
}

/**
 * The sweep lock in Redis (`REDIS_URL`, the store the instances already share
 * for their per-installation queues): `SET key token NX PX ttl` takes it,
 * a random token per attempt names the holder, a script that compares the
 * token extends it while the sweep runs and deletes it at the end. A holder
 * that dies or loses Redis stops renewing, so the lock expires after at most
 * `ttlMs` and the next instance's sweep takes it; a holder that could not
 * renew in time aborts its sweep rather than sweep beside another.
 *
 * Redis rather than a PostgreSQL advisory lock: an advisory lock lives as
 * long as its session, so a holder that hangs, or whose host vanished
 * without closing the connection, keeps it until TCP gives up; a lease with
 * a time to live ends on its own. And the instances of a deployment that
 * runs several share Redis anyway, while PostgreSQL is the audit store's.
 *
 * When Redis cannot be reached the sweep runs anyway (logged): a sweep is
 * the safety net that turns checks red, so a duplicate sweep (the same
 * verdicts posted again, each expiry still recorded once) is better than none.
 */
export class RedisSweepLock implements SweepLock {
  readonly kind = "redis";
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSweepLockOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 120_000;
    this.prefix = options.prefix ?? "agent-policy:sweep:";
  }

  /** A lock on its own connection to `url`: commands fail fast rather than queue while Redis is away. */
  static connect(url: string, options: RedisSweepLockOptions): RedisSweepLock {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, commandTimeout: 5_000 });
    redis.on("error", (error: Error) => options.log.warn({ err: error }, "the sweep lock's Redis connection failed; it reconnects"));
    return new RedisSweepLock(redis, options);
  }

  async run(name: string, task: (signal: AbortSignal) => Promise<void>): Promise<LockedRun> {
    const key = `${this.prefix}${name}`;
    const token = randomBytes(16).toString("hex");
    let acquired: boolean;
    try {
      acquired = await this.acquire(key, token);
    } catch (error) {
      this.options.log.error({ err: error, lock: key }, "could not reach Redis for the sweep lock; sweeping without it");
      await task(new AbortController().signal);
      return "ran";
    }
    if (!acquired) return "held elsewhere";

    const lost = new AbortController();
    let renewed = Date.now();
    const stop = (why: string) => {
      if (lost.signal.aborted) return;
      this.options.log.warn({ lock: key }, `${why}; stopping this sweep`);
      lost.abort();
    };
    const renew = setInterval(() => {
      this.extend(key, token).then(
        (held) => {
          if (held) renewed = Date.now();
          else stop("the sweep lock was lost (it expired, or another instance holds it)");
        },
        (error: unknown) => {
          this.options.log.warn({ err: error, lock: key }, "could not renew the sweep lock; trying again");
          // The lease may have run out meanwhile: another instance may be sweeping now.
          if (Date.now() - renewed >= this.ttlMs) stop("the sweep lock could not be renewed within its time to live");
        },
      );
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    renew.unref();
    try {
      await task(lost.signal);
    } finally {
      clearInterval(renew);
      await this.release(key, token).catch((error: unknown) =>
        this.options.log.warn({ err: error, lock: key }, "could not release the sweep lock; it expires on its own"),
      );
    }
    return "ran";
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async acquire(key: string, token: string): Promise<boolean> {
    try {
      return (await this.redis.set(key, token, "PX", this.ttlMs, "NX")) === "OK";
    } catch (error) {
      throw new SweepLockError(`could not take the sweep lock ${key}`, { cause: error });
    }
  }

  private async extend(key: string, token: string): Promise<boolean> {
    try {
      return (await this.redis.eval(EXTEND, 1, key, token, String(this.ttlMs))) === 1;
    } catch (error) {
      throw new SweepLockError(`could not renew the sweep lock ${key}`, { cause: error });
    }
  }

  private async release(key: string, token: string): Promise<void> {
    try {
      await this.redis.eval(RELEASE, 1, key, token);
    } catch (error) {
      throw new SweepLockError(`could not release the sweep lock ${key}`, { cause: error });
    }
  }
}
