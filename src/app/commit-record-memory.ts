import type { OwnCheckRun } from "../github/commit-state.js";
import type { CommitRecord } from "../report/commit-record.js";

/** A commit's record and the newest run of the app there, as this process last posted them. */
export interface RememberedRecord {
  record: CommitRecord;
  latest: OwnCheckRun;
}

/** How long a remembered record is used before the commit's runs are listed again. */
export const RECORD_MEMORY_TTL_MS = 10 * 60_000;
const MAX_COMMITS = 10_000;

/**
 * The sealed record this process last posted on each commit, so that the
 * next evaluation of the commit (a review, a comment, the push that moves the
 * pull request on from it) need not list the commit's check runs to find it.
 *
 * It is authoritative only for what this process wrote: an entry is set after
 * a check run carrying the record was created (or found already in place),
 * under the commit's lock, and dropped when posting failed or the run carried
 * no usable record, so the next evaluation reads GitHub. Another writer of
 * the app's runs — a second instance — would make it stale: the server uses
 * it only without `REDIS_URL` (one instance); with it, every record is read.
 * Entries also expire (`RECORD_MEMORY_TTL_MS`) and the oldest go first past
 * `MAX_COMMITS`.
 */
export class CommitRecordMemory {
  private readonly entries = new Map<string, { value: RememberedRecord; until: number }>();

  constructor(private readonly now: () => number = Date.now, private readonly ttlMs = RECORD_MEMORY_TTL_MS, private readonly max = MAX_COMMITS) {}

  get(key: string): RememberedRecord | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  remember(key: string, value: RememberedRecord): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
