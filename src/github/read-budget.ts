import type { Octokit } from "./octokit.js";

/** How many GitHub reads one event may make unless `API_READS_PER_EVENT` says otherwise. */
export const DEFAULT_READS_PER_EVENT = 500;

/**
 * An event spent its read budget: the call was not made. It has no HTTP
 * status, so nothing can take it for a 404 ("no policy") or a 403; wrapped
 * in a `GitHubFactsError` by the step that asked, it fails the event closed.
 */
export class ReadBudgetError extends Error {
  constructor(readonly limit: number) {
    super(`this event reached its budget of ${limit} GitHub API reads (API_READS_PER_EVENT), so it is not judged: failing closed`);
    this.name = "ReadBudgetError";
  }
}

/**
 * Bounds the reads one event's client may make (each page of a listing is
 * one; GraphQL queries are reads). Writes are not refused: they are what
 * failing closed needs (the check run, a cancellation, an incident), and the
 * handlers make a fixed few per event. Installed outermost, so a call the
 * retry plugin repeats counts once. The client is the event's own (Probot
 * makes one per event), so the count is the event's.
 */
export function limitReads(octokit: Octokit, limit: number): void {
  const budget = { reads: 0, limit };
  budgets.set(octokit, budget);
  octokit.hook.wrap("request", async (request, options) => {
    if (isRead(options)) {
      budget.reads += 1;
      if (budget.reads > budget.limit) throw new ReadBudgetError(budget.limit);
    }
    return request(options);
  });
}

const budgets = new WeakMap<Octokit, { reads: number; limit: number }>();

/**
 * Grants an event that judges several subjects by design (a policy change
 * re-evaluating a bounded number of open pull requests) `reads` more for
 * the next one, so each subject has a budget of its own. No-op on a client
 * without a budget.
 */
export function extendReads(octokit: Octokit, reads: number): void {
  const budget = budgets.get(octokit);
  if (budget) budget.limit += reads;
}

/** The budget from the environment: a positive integer, else the default. */
export function readsPerEvent(env: NodeJS.ProcessEnv): number {
  const value = Number(env.API_READS_PER_EVENT);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_READS_PER_EVENT;
}

function isRead(options: { method: string; url: string }): boolean {
  const method = String(options.method).toUpperCase();
  if (method === "GET" || method === "HEAD") return true;
  return method === "POST" && /(^|\/)graphql$/.test(String(options.url).split("?")[0]!);
}
