import { randomBytes } from "node:crypto";
import type { AuditTrail, AuditLogger } from "../audit/audit-trail.js";
import { auditTrailFromEnv } from "../audit/audit-trail-from-env.js";
import { PolicyCache } from "../github/load-policy.js";
import { readsPerEvent } from "../github/read-budget.js";
import type { ExpiryWatch } from "./expiry-watch.js";
import type { GrantSweep } from "./grant-sweep.js";
import { GrantExpiryTimers, timerScheduler } from "./grant-expiry-timers.js";
import { KeyedMutex } from "./keyed-mutex.js";
import type { CommitRecordMemory } from "./commit-record-memory.js";

/** What handlers share across events: caches, the app's identity, the clock, the audit trail. */
export interface AppDependencies {
  policyCache: PolicyCache;
  /** This app's id, to recognise its own check runs. */
  appId?: number;
  clock: () => Date;
  /** Secret key of incident fingerprints: the webhook secret, which only the app and GitHub know. */
  incidentKey: string;
  /** Every audit record goes here: the JSON log and the audit store. */
  audit: AuditTrail;
  /** Evaluations of one commit run one at a time in this process (key: `commitKey`). */
  commitLocks: KeyedMutex;
  /** The records this process posted, per commit (key: `commitKey`); absent: every record is read from GitHub. */
  commitRecords?: CommitRecordMemory;
  /** Re-evaluations pending for when a pull request's task-scoped grant ends. */
  grantTimers: GrantExpiryTimers;
  /** How many GitHub reads one event may make (see read-budget.ts). */
  readsPerEvent: number;
  /** Timers for grants that end, and the sweep (the server's; absent in one-off uses, where nothing is scheduled). */
  expiries?: ExpiryWatch;
  /** The sweep that ends grants whose timers a restart lost, and arms the timers again (the server's). */
  grantSweep?: GrantSweep;
}

/** The dependencies from the environment; the audit trail is created (and its spool drained) only when none is given. */
export function createDependencies(overrides: Partial<AppDependencies> = {}, log: AuditLogger = console): AppDependencies {
  const appId = Number(process.env.APP_ID);
  let audit = overrides.audit;
  if (!audit) {
    audit = auditTrailFromEnv(process.env, log);
    audit.start().catch((error) => log.error({ err: error }, "could not start the audit trail"));
  }
  return {
    policyCache: new PolicyCache(),
    commitLocks: new KeyedMutex(),
    grantTimers: new GrantExpiryTimers(timerScheduler()),
    readsPerEvent: readsPerEvent(process.env),
    ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
    clock: () => new Date(),
    // Without a webhook secret (tests, setup mode) a per-process key: repeats then find their issue until a restart.
    incidentKey: process.env.WEBHOOK_SECRET || randomBytes(32).toString("hex"),
    ...overrides,
    audit,
  };
}
