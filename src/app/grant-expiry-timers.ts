/** Runs a task at an instant (the default uses an unref'd timer, so it never keeps the process alive). */
export type Scheduler = (at: Date, task: () => Promise<void>) => { cancel(): void };

/** setTimeout takes at most 2^31 - 1 ms (about 24.8 days); a later instant is reached in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function timerScheduler(now: () => Date = () => new Date()): Scheduler {
  return (at, task) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = Math.max(0, at.getTime() - now().getTime());
      timer = setTimeout(() => (delay > MAX_DELAY_MS ? arm() : void task().catch(() => undefined)), Math.min(delay, MAX_DELAY_MS));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  };
}

/**
 * One pending re-evaluation per pull request, at the earliest instant one of
 * its grants ends: when it passes, the pull request is judged again, so a
 * grant's end turns its check red without waiting for an event. Kept in this
 * process only; a restart forgets them until the pull request's next event.
 */
export class GrantExpiryTimers {
  private readonly pending = new Map<string, { at: number; cancel(): void }>();

  constructor(private readonly schedule: Scheduler) {}

  /** Re-evaluate `key` at `at` (a later or equal instant than one already pending changes nothing). */
  at(key: string, at: Date, task: () => Promise<void>): void {
    const existing = this.pending.get(key);
    if (existing && existing.at <= at.getTime()) return;
    existing?.cancel();
    const handle = this.schedule(at, async () => {
      if (this.pending.get(key)?.at === at.getTime()) this.pending.delete(key);
      await task();
    });
    this.pending.set(key, { at: at.getTime(), cancel: handle.cancel });
  }

  /** How many re-evaluations are pending (for tests and metrics). */
  get size(): number {
    return this.pending.size;
  }
}
