import { PolicyCache } from "../github/load-policy.js";

/** What handlers share across events: caches, the app's identity, the clock. */
export interface AppDependencies {
  policyCache: PolicyCache;
  /** This app's id, to recognise its own check runs. */
  appId?: number;
  clock: () => Date;
}

export function createDependencies(overrides: Partial<AppDependencies> = {}): AppDependencies {
  const appId = Number(process.env.APP_ID);
  return {
    policyCache: new PolicyCache(),
    ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
    clock: () => new Date(),
    ...overrides,
  };
}
