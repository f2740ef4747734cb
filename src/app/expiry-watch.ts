import type { Logger } from "probot";
import { grantEndsAt } from "../engine/expiry.js";
import type { Policy } from "../engine/types.js";
import type { RepoRef } from "../github/octokit.js";
import { processSweepLock, type SweepLock } from "./sweep-lock.js";

/** Where to arm a timer: `setTimeout` / `clearTimeout` in production, a hand-driven fake in tests. */
export interface Timers {
  set(task: () => unknown, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Node's timers, unreferenced: a pending expiry or sweep never keeps the process alive (shutdown clears it anyway). */
export const NODE_TIMERS: Timers = {
  set(task, ms) {
    const handle = setTimeout(task, ms);
    handle.unref();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** One repository of one installation, as a timer or the sweep re-evaluates it. */
export interface WatchedRepository {
  installationId: number;
  repo: RepoRef;
  defaultBranch: string;
}

/** What to do when an agent's grant in a repository has ended (see `expiry-response.ts`). */
export type ExpiryResponse = (target: WatchedRepository, reason: "agent_expired" | "sweep") => Promise<void>;

/** The repositories the sweep visits: every repository of every installation, with its policy as it is now. */
export type RepositoryWalk = (visit: (target: WatchedRepository, policy: Policy | undefined) => Promise<void>) => Promise<void>;

/** Longest a Node timer can wait; a later expiry is armed by a later sweep. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Makes expiry take effect on time. Whenever a policy is seen with an
 * agent's `expires` ahead (a policy change, each sweep), a timer is armed for
 * the instant the grant ends; when it fires, the repository's open agent
 * pull requests are evaluated again (and the agent's runs cancelled), with
 * the policy as it is then, so an expiry that was extended meanwhile does no
 * harm and one that was brought forward was armed again by the change.
 *
 * A periodic sweep (`sweepEveryMs`, one hour by default) visits every
 * repository of every installation as a safety net: it responds to each
 * grant that ended since the previous sweep (a timer lost to a restart) and
 * arms the timers of those ending before the next one. The first sweep looks
 * back one interval. Timers live in this process only. With several
 * instances the sweep runs under `lock` (see sweep-lock.ts): one instance
 * sweeps at a time, and an instance that finds another sweeping skips its
 * turn (its next sweep then looks back further). Without a shared lock every
 * instance sweeps; the responses are idempotent (the same verdict is posted
 * again). `stop()` clears every timer.
 */
export class ExpiryWatch {
  private readonly timers: Timers;
  private readonly armed = new Map<string, unknown>();
  private sweeper: unknown;
  private lastSweep: Date | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private walk: RepositoryWalk | undefined;
  private respond: ExpiryResponse | undefined;
  readonly sweepEveryMs: number;

  constructor(
    private readonly options: { clock: () => Date; log: Logger; timers?: Timers; sweepEveryMs?: number; maxTimers?: number; lock?: SweepLock },
  ) {
    this.timers = options.timers ?? NODE_TIMERS;
    this.sweepEveryMs = options.sweepEveryMs ?? 60 * 60_000;
  }

  /** Arms a timer for each grant of `policy` that ends after now and before the next sweep (or within the longest timer); only once started. */
  watch(target: WatchedRepository, policy: Policy): void {
    const respond = this.respond;
    if (this.stopped || !respond) return;
    const now = this.options.clock().getTime();
    const horizon = Math.min(MAX_TIMER_MS, this.sweepEveryMs * 2);
    for (const agent of Object.values(policy.agents)) {
      if (!agent.expires || agent.suspended) continue;
      const at = grantEndsAt(agent.expires).getTime();
      if (at <= now || at - now > horizon) continue;
      const key = `${target.installationId}:${target.repo.owner}/${target.repo.repo}@${at}`.toLowerCase();
      if (this.armed.has(key)) continue;
      if (this.armed.size >= (this.options.maxTimers ?? 10_000)) {
        this.options.log.warn({ repository: `${target.repo.owner}/${target.repo.repo}` }, "too many expiry timers armed; this expiry is left to the next sweep");
        continue;
      }
      const handle = this.timers.set(() => {
        this.armed.delete(key);
        return this.respondSafely(respond, target, "agent_expired");
      }, at - now);
      this.armed.set(key, handle);
    }
  }

  /** How many timers are armed (for tests and logs). */
  get pending(): number {
    return this.armed.size;
  }

  /** Starts the periodic sweep, the first one interval from now; from then on `watch` arms timers. */
  start(walk: RepositoryWalk, respond: ExpiryResponse): void {
    if (this.stopped || this.walk) return;
    this.walk = walk;
    this.respond = respond;
    this.lastSweep = new Date(this.options.clock().getTime() - this.sweepEveryMs);
    const tick = () => {
      this.sweeper = this.timers.set(
        () =>
          this.sweep().finally(() => {
            if (!this.stopped) tick();
          }),
        this.sweepEveryMs,
      );
    };
    tick();
  }

  /**
   * One sweep: every repository whose policy has a grant that ended since the
   * previous sweep is evaluated again; timers are armed for the grants ending
   * soon. A failure in one repository is logged and the sweep goes on.
   */
  sweep(): Promise<void> {
    const { walk, respond } = this;
    if (!walk || !respond || this.stopped) return Promise.resolve();
    this.running ??= this.sweepOnce(walk, respond).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(walk: RepositoryWalk, respond: ExpiryResponse): Promise<void> {
    const lock = this.options.lock ?? processSweepLock;
    const outcome = await lock.run("agent-expiry", (signal) => this.sweepHeld(walk, respond, signal));
    if (outcome === "held elsewhere") this.options.log.info({ lock: lock.kind }, "another instance is sweeping for expiries; skipping this sweep");
  }

  private async sweepHeld(walk: RepositoryWalk, respond: ExpiryResponse, signal: AbortSignal): Promise<void> {
    const now = this.options.clock();
    const since = this.lastSweep ?? new Date(now.getTime() - this.sweepEveryMs);
    let visited = 0;
    let responded = 0;
    try {
      await walk(async (target, policy) => {
        if (this.stopped || signal.aborted) return;
        visited++;
        if (!policy) return;
        const ended = Object.values(policy.agents).some((agent) => {
          if (!agent.expires) return false;
          const at = grantEndsAt(agent.expires).getTime();
          return at > since.getTime() && at <= now.getTime();
        });
        if (ended) {
          responded++;
          await this.respondSafely(respond, target, "sweep");
        }
        this.watch(target, policy);
      });
    } catch (error) {
      this.options.log.error({ err: error }, "the expiry sweep could not list every repository; the next sweep tries again");
      return;
    }
    if (signal.aborted) return;
    this.lastSweep = now;
    this.options.log.info({ visited, responded, timers: this.armed.size }, "expiry sweep done");
  }

  private async respondSafely(respond: ExpiryResponse, target: WatchedRepository, reason: "agent_expired" | "sweep"): Promise<void> {
    try {
      await respond(target, reason);
    } catch (error) {
      this.options.log.error({ err: error, repository: `${target.repo.owner}/${target.repo.repo}`, reason }, "could not re-evaluate after an expiry; the next sweep tries again");
    }
  }

  /** Clears every timer; nothing is armed or swept afterwards. */
  stop(): void {
    this.stopped = true;
    for (const handle of this.armed.values()) this.timers.clear(handle);
    this.armed.clear();
    if (this.sweeper !== undefined) this.timers.clear(this.sweeper);
    this.sweeper = undefined;
  }
}

