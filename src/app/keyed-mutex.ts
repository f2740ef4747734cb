/**
 * Runs tasks one at a time per key, in the order they asked, while tasks of
 * different keys run freely. The app keys it by repository and commit, so
 * two evaluations of one commit in this process never interleave: the later
 * one starts from what the earlier one posted.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    try {
      await previous;
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** True while a task of `key` runs or waits. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}

/** The lock key of one commit of one repository. */
export function commitKey(repo: { owner: string; repo: string }, sha: string): string {
  return `${repo.owner}/${repo.repo}@${sha}`.toLowerCase();
}
