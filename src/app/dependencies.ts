import { randomBytes } from "node:crypto";
import { PolicyCache } from "../github/load-policy.js";

/** What handlers share across events: caches, the app's identity, the clock. */
export interface AppDependencies {
  policyCache: PolicyCache;
  /** This app's id, to recognise its own check runs. */
  appId?: number;
  clock: () => Date;
  /** Secret key of incident fingerprints: the webhook secret, which only the app and GitHub know. */
  incidentKey: string;
}

export function createDependencies(overrides: Partial<AppDependencies> = {}): AppDependencies {
  const appId = Number(process.env.APP_ID);
  return {
    policyCache: new PolicyCache(),
    ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
    clock: () => new Date(),
    // Without a webhook secret (tests, setup mode) a per-process key: repeats then find their issue until a restart.
    incidentKey: process.env.WEBHOOK_SECRET || randomBytes(32).toString("hex"),
    ...overrides,
  };
}
