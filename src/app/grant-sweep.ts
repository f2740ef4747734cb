import type { Logger } from "probot";
import type { AuditGrant } from "../audit/audit-record.js";
import type { ChainedAuditRecord } from "../audit/audit-chain.js";
import type { AuditStore } from "../audit/audit-store.js";
import { LONGEST_GRANT_MS } from "../engine/grants/duration.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { readPullRequest } from "../github/pull-request-facts.js";
import { limitReads } from "../github/read-budget.js";
import type { AppDependencies } from "./dependencies.js";
import { evaluatePullRequest, grantTimerKey, type PullRequestTrigger } from "./evaluate-pull-request.js";
import type { Authenticate } from "./expiry-response.js";
import { NODE_TIMERS, type Timers } from "./expiry-watch.js";
import { recordGrantExpiries } from "./record-grant-expiries.js";
import { processSweepLock, type LockedRun, type SweepLock } from "./sweep-lock.js";

/** A grant as its `granted` audit record tells it: where, which comment, until when. */
export interface RecordedGrant {
  installationId?: number;
  repository: string;
  pullRequest: number;
  commentId: number;
  grant: AuditGrant;
  expires: number;
}

/** What the audit records say about the grants given in a window: those that ended and were not recorded as such, and those still in force. */
export interface GrantsOnRecord {
  /** Expired (at or before now, within the look-back) with no `expired` record and not revoked. */
  due: RecordedGrant[];
  /** Ending after now, not revoked. */
  active: RecordedGrant[];
}

const grantId = (repository: string, pullRequest: number | undefined, commentId: number | undefined) => `${repository.toLowerCase()}#${pullRequest ?? ""}:${commentId ?? ""}`;
const grantContent = (repository: string, pullRequest: number | undefined, g: AuditGrant) =>
  [repository.toLowerCase(), pullRequest ?? "", g.agent, g.by, g.expires ?? "", g.scope.join(",")].join("\0");

/**
 * Reads the grant records (`granted`, `revoked`, `expired`) written since
 * `since` and sorts the grants: a grant is done once an `expired` record
 * names its comment, or a `revoked` record lists it; otherwise it is due
 * when its expiry is in (`dueAfter`, `now`], active when after `now`.
 */
export async function grantsOnRecord(store: AuditStore, window: { since: Date; dueAfter: Date; now: Date }): Promise<GrantsOnRecord> {
  const given: RecordedGrant[] = [];
  const expired = new Set<string>();
  const revoked = new Set<string>();
  for await (const record of store.query({ since: window.since, grantActions: ["granted", "revoked", "expired"] }) as AsyncIterable<ChainedAuditRecord>) {
    if (record.pullRequest === undefined) continue;
    if (record.grantAction === "expired") expired.add(grantId(record.repository, record.pullRequest, record.commandCommentId));
    else if (record.grantAction === "revoked") for (const g of record.grants ?? []) revoked.add(grantContent(record.repository, record.pullRequest, g));
    else if (record.grantAction === "granted" && record.commandCommentId !== undefined) {
      const grant = record.grants?.[0];
      const expires = grant?.expires ? Date.parse(grant.expires) : Number.NaN;
      if (!grant || Number.isNaN(expires)) continue;
      given.push({
        ...(record.installationId !== undefined ? { installationId: record.installationId } : {}),
        repository: record.repository,
        pullRequest: record.pullRequest,
        commentId: record.commandCommentId,
        grant,
        expires,
      });
    }
  }
  const due: RecordedGrant[] = [];
  const active: RecordedGrant[] = [];
  for (const g of given) {
    if (expired.has(grantId(g.repository, g.pullRequest, g.commentId)) || revoked.has(grantContent(g.repository, g.pullRequest, g.grant))) continue;
    if (g.expires > window.now.getTime()) active.push(g);
    else if (g.expires > window.dueAfter.getTime()) due.push(g);
  }
  return { due, active };
}

export interface GrantSweepOptions {
  clock: () => Date;
  log: Logger;
  timers?: Timers;
  lock?: SweepLock;
  /** Between sweeps (default one hour). */
  sweepEveryMs?: number;
  /** The first sweep, this long after start (default 5 seconds). */
  firstSweepAfterMs?: number;
  /** How far back an unrecorded expiry is still acted on (default 7 days): a pull request down longer is judged on its next event. */
  lookBackMs?: number;
  /** After finding the lock held elsewhere, try again this soon (default 150 seconds, past a dead holder's lease). */
  retryHeldAfterMs?: number;
}

/**
 * Makes a task-scoped grant's end survive a restart. Grants end by
 * in-process timers (`GrantExpiryTimers`), which a restart forgets; the
 * grant records in the audit store do not. At start and every hour this
 * sweep reads them and, under the sweep lock (one instance at a time):
 *
 * - judges again each open pull request with a grant that has expired and
 *   has no `expired` record yet (nor a `revoked` one): its check turns red
 *   if the change needed the grant, and each expiry becomes its one
 *   `expired` record (`event: grant_expiry`, `action: sweep`);
 * - arms the timers of the grants still in force, as their pull request's
 *   evaluation would have.
 *
 * A closed pull request is not judged (its grants ended when it closed).
 * Pull requests are judged one at a time, each within a read budget of its
 * own, and once per process; a failure is logged and the sweep goes on (the
 * next one retries).
 */
export class GrantSweep {
  private readonly timers: Timers;
  private readonly sweepEveryMs: number;
  private readonly lookBackMs: number;
  private next: unknown;
  private running: Promise<LockedRun | "failed"> | undefined;
  private stopped = false;
  private started: { store: AuditStore; auth: Authenticate; deps: AppDependencies } | undefined;
  /** Grants this process has acted on (their pull request judged after their end, or found closed): not read again. */
  private readonly settled = new Set<string>();

  constructor(private readonly options: GrantSweepOptions) {
    this.timers = options.timers ?? NODE_TIMERS;
    this.sweepEveryMs = options.sweepEveryMs ?? 60 * 60_000;
    this.lookBackMs = options.lookBackMs ?? 7 * 24 * 60 * 60_000;
  }

  /** Sweeps soon after start, then every interval, until `stop`. */
  start(store: AuditStore, auth: Authenticate, deps: AppDependencies): void {
    if (this.stopped || this.started) return;
    this.started = { store, auth, deps };
    // A lock held elsewhere may be a dead holder's lease (this process restarting after a crash mid-sweep):
    // the next try comes once such a lease has run out, not an interval later.
    const tick = (ms: number) => {
      this.next = this.timers.set(
        () =>
          this.sweep().then((outcome) => {
            if (!this.stopped) tick(outcome === "held elsewhere" ? Math.min(this.sweepEveryMs, this.options.retryHeldAfterMs ?? 150_000) : this.sweepEveryMs);
          }),
        ms,
      );
    };
    tick(this.options.firstSweepAfterMs ?? 5_000);
  }

  /** One sweep (joins the one running, if any); "held elsewhere" when another instance was sweeping. */
  sweep(): Promise<LockedRun | "failed" | "not started"> {
    if (!this.started || this.stopped) return Promise.resolve("not started");
    this.running ??= this.sweepOnce(this.started).finally(() => (this.running = undefined));
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.next !== undefined) this.timers.clear(this.next);
    this.next = undefined;
  }

  private async sweepOnce(started: NonNullable<GrantSweep["started"]>): Promise<LockedRun | "failed"> {
    const lock = this.options.lock ?? processSweepLock;
    try {
      const outcome = await lock.run("grant-expiry", (signal) => this.sweepHeld(started, signal));
      if (outcome === "held elsewhere") this.options.log.info({ lock: lock.kind }, "another instance is sweeping for grants' ends; skipping this sweep");
      return outcome;
    } catch (error) {
      this.options.log.error({ err: error }, "the grant sweep could not read the grant records; the next sweep tries again");
      return "failed";
    }
  }

  private async sweepHeld({ store, auth, deps }: NonNullable<GrantSweep["started"]>, signal: AbortSignal): Promise<void> {
    const now = this.options.clock();
    const dueAfter = new Date(now.getTime() - this.lookBackMs);
    const { due, active } = await grantsOnRecord(store, { since: new Date(dueAfter.getTime() - LONGEST_GRANT_MS), dueAfter, now });
    let judged = 0;
    let recorded = 0;
    for (const [key, grants] of byPullRequest(due)) {
      if (this.stopped || signal.aborted) return;
      if (grants.every((g) => this.settled.has(grantId(g.repository, g.pullRequest, g.commentId)))) continue;
      const outcome = await this.judge(auth, deps, grants[0]!, `sweep:${now.toISOString()}:${key}`, "sweep");
      if (outcome === "skipped") continue;
      // Judged after the grants' end (or closed): nothing is left to do for them in this process, even when
      // the comments no longer show a grant to record (a deleted comment), so they are not judged hourly.
      for (const g of grants) this.settled.add(grantId(g.repository, g.pullRequest, g.commentId));
      if (typeof outcome === "number") {
        judged++;
        recorded += outcome;
      }
    }
    for (const g of active) {
      if (g.installationId === undefined) continue;
      const repo = repoOf(g.repository);
      deps.grantTimers.at(grantTimerKey(repo, g.pullRequest), new Date(g.expires), async () => {
        await this.judge(auth, deps, g, `grant-expiry:${new Date(g.expires).toISOString()}:${grantTimerKey(repo, g.pullRequest)}`);
      });
    }
    this.options.log.info({ due: due.length, judged, recorded, active: active.length, timers: deps.grantTimers.size }, "grant sweep done");
  }

  /** Judges a granted pull request again and records its expired grants; "closed" when it is not open, "skipped" when it could not be. */
  private async judge(auth: Authenticate, deps: AppDependencies, g: RecordedGrant, deliveryId: string, action?: string): Promise<number | "closed" | "skipped"> {
    const log = this.options.log.child({ repository: g.repository, pullRequest: g.pullRequest, deliveryId });
    if (g.installationId === undefined) {
      log.warn("a grant record names no installation; its pull request is judged on its next event");
      return "skipped";
    }
    const repo = repoOf(g.repository);
    try {
      const octokit = (await auth(g.installationId)) as Octokit;
      limitReads(octokit, deps.readsPerEvent);
      const pull = await readPullRequest(octokit, repo, g.pullRequest);
      if (pull.state !== "open") return "closed";
      const trigger: PullRequestTrigger = {
        deliveryId,
        event: "grant_expiry",
        ...(action ? { action } : {}),
        installationId: g.installationId,
        repo,
        defaultBranch: pull.base.repo.default_branch,
        number: g.pullRequest,
        headSha: "",
        detailsUrl: pull.html_url,
        sender: null,
        senderActed: false,
        grantCommand: true,
      };
      return await recordGrantExpiries(log, deps, trigger, await evaluatePullRequest(octokit, log, deps, trigger));
    } catch (error) {
      log.error({ err: error }, "could not judge a pull request again after its grant ended; the next grant sweep tries again");
      return "skipped";
    }
  }
}

function repoOf(repository: string): RepoRef {
  const [owner, repo] = repository.split("/");
  return { owner: owner!, repo: repo! };
}

function byPullRequest(grants: RecordedGrant[]): Map<string, RecordedGrant[]> {
  const groups = new Map<string, RecordedGrant[]>();
  for (const g of grants) {
    const key = grantTimerKey(repoOf(g.repository), g.pullRequest);
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  return groups;
}
