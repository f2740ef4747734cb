import type { Probot } from "probot";
import type { AuditTrail } from "../audit/audit-trail.js";
import type { ReadinessProbe } from "./readiness.js";

/** The GitHub host answers the app, authenticated as itself (`GET /app`): reachable, and the key is accepted. */
export function githubProbe(probot: Probot): ReadinessProbe {
  return {
    name: "github",
    async check() {
      const octokit = await probot.auth();
      try {
        await octokit.request("GET /app");
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        throw new Error(`GET /app ${typeof status === "number" ? `answered HTTP ${status}` : "failed"}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/** The audit store answers (its chain head can be read) and no record is waiting in the spool for it. */
export function auditStoreProbe(audit: AuditTrail): ReadinessProbe {
  return {
    name: "audit_store",
    async check() {
      if (audit.spooled > 0) throw new Error(`${audit.spooled} audit records wait in the spool: ${audit.store.location} is not taking writes`);
      await audit.store.head();
    },
  };
}
