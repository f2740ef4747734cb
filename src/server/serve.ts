import type { Logger } from "pino";
import { Probot } from "probot";
import { createApp } from "../app/index.js";
import { ExpiryWatch } from "../app/expiry-watch.js";
import { GrantSweep } from "../app/grant-sweep.js";
import { processSweepLock, RedisSweepLock, type SweepLock } from "../app/sweep-lock.js";
import { CommitRecordMemory } from "../app/commit-record-memory.js";
import { appOctokit } from "../github/app-octokit.js";
import { InventoryRoute, readInventoryConfig } from "../inventory/inventory-route.js";
import type { Octokit } from "../github/octokit.js";
import { AppServer, pingRoute, type Route } from "./app-server.js";
import type { ServeConfig } from "./config.js";
import { AppMetrics } from "./metrics.js";
import { ObservedAuditTrail } from "./observed-audit-trail.js";
import { auditStoreProbe, githubProbe } from "./probes.js";
import { Readiness } from "./readiness.js";
import { WEBHOOK_PATH, WebhookEndpoint, type WebhookReceiver } from "./webhook-endpoint.js";

export interface RunningServer {
  port: number;
  /** Graceful stop; resolves with the delivery ids that did not finish in time. */
  stop(): Promise<{ unfinished: string[] }>;
}

function metricsRoute(metrics: AppMetrics): Route {
  return {
    path: "/metrics",
    handle: async (_req, res) => {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { "content-type": contentType }).end(body);
    },
  };
}

/**
 * Serves webhooks with the app loaded into Probot: Probot authenticates as the
 * app and its installations and dispatches events; this process owns the HTTP
 * server (webhooks, /ping, /healthz, /metrics), the logs, the audit trail and
 * the shutdown.
 */
export async function serve(config: ServeConfig, log: Logger): Promise<RunningServer> {
  let endpoint: WebhookEndpoint | undefined;
  const metrics = new AppMetrics({ deliveriesInFlight: () => endpoint?.pending ?? 0 });
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.github.apiUrl,
    log: log as never,
    Octokit: appOctokit({ throttling: config.throttling, observer: metrics }),
    ...(config.redisUrl ? { redisConfig: config.redisUrl } : {}),
  });
  // The audit trail is the server's, not the app function's, so a shutdown can close it after the last delivery.
  const audit = new ObservedAuditTrail(process.env, log.child({ name: "audit" }), (record) => metrics.decided(record));
  void audit.start();
  // One instance sweeps at a time when the instances share Redis; a single instance needs no lock.
  const lock: SweepLock = config.redisUrl ? RedisSweepLock.connect(config.redisUrl, { log: log.child({ name: "sweep-lock" }) }) : processSweepLock;
  const expiries = new ExpiryWatch({ clock: () => new Date(), log: log.child({ name: "expiry" }) as never, lock });
  const grantSweep = new GrantSweep({ clock: () => new Date(), log: log.child({ name: "grant-sweep" }) as never, lock });
  // One instance (no REDIS_URL) is the only writer of its records, so it remembers them; several read them from GitHub.
  const commitRecords = config.redisUrl ? {} : { commitRecords: new CommitRecordMemory() };
  await probot.load(createApp({ audit, expiries, grantSweep, ...commitRecords }));

  endpoint = new WebhookEndpoint(probot.webhooks as unknown as WebhookReceiver, log.child({ name: "webhooks" }), { observer: metrics });
  const readiness = new Readiness([githubProbe(probot), auditStoreProbe(audit)]);
  const draining = endpoint;
  const routes: Route[] = [pingRoute, readiness.route(() => draining.draining), metricsRoute(metrics)];
  const inventory = readInventoryConfig(process.env);
  if ("disabled" in inventory) log.warn(inventory.disabled);
  else {
    const client = (installationId: number) => probot.auth(installationId) as Promise<Octokit>;
    routes.push(new InventoryRoute(inventory, config.github, audit.store, client, log.child({ name: "inventory" })));
    log.info(`agent inventory at /agent-policy/ (sign in with GitHub; OAuth callback /agent-policy/auth/callback)`);
  }
  const server = new AppServer(endpoint, routes, log.child({ name: "http" }));
  const address = await server.listen(config.port, config.host);
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  log.info(
    { appId: config.appId, github: config.github.webUrl, redis: Boolean(config.redisUrl), throttling: config.throttling },
    `agent-policy is serving: webhooks at http://${shown}:${address.port}${WEBHOOK_PATH} for app ${config.appId} on ${config.github.webUrl}`,
  );

  return {
    port: address.port,
    stop: async () => {
      log.info({ pending: draining.pending }, `stopping: no new webhooks; waiting up to ${config.shutdownTimeoutMs} ms for ${draining.pending} in flight`);
      // No timer fires during or after the drain: a grant that ends meanwhile is the next instance's sweep's.
      expiries.stop();
      grantSweep.stop();
      const result = await server.close(config.shutdownTimeoutMs);
      await audit.close();
      await lock.close();
      return result;
    },
  };
}
