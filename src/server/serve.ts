import type { Logger } from "pino";
import { Probot } from "probot";
import { createApp } from "../app/index.js";
import { auditTrailFromEnv } from "../audit/audit-trail-from-env.js";
import { appOctokit } from "../github/app-octokit.js";
import { AppServer, pingRoute } from "./app-server.js";
import type { ServeConfig } from "./config.js";
import { WEBHOOK_PATH, WebhookEndpoint, type WebhookReceiver } from "./webhook-endpoint.js";

export interface RunningServer {
  port: number;
  /** Graceful stop; resolves with the delivery ids that did not finish in time. */
  stop(): Promise<{ unfinished: string[] }>;
}

/**
 * Serves webhooks with the app loaded into Probot: Probot authenticates as the
 * app and its installations and dispatches events; this process owns the HTTP
 * server, the logs, and the shutdown.
 */
export async function serve(config: ServeConfig, log: Logger): Promise<RunningServer> {
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.github.apiUrl,
    log: log as never,
    Octokit: appOctokit({ throttling: config.throttling }),
    ...(config.redisUrl ? { redisConfig: config.redisUrl } : {}),
  });
  // The audit trail is the server's, not the app function's, so a shutdown can close it after the last delivery.
  const audit = auditTrailFromEnv(process.env, log.child({ name: "audit" }));
  void audit.start();
  await probot.load(createApp({ audit }));

  const endpoint = new WebhookEndpoint(probot.webhooks as unknown as WebhookReceiver, log.child({ name: "webhooks" }));
  const server = new AppServer(endpoint, [pingRoute], log.child({ name: "http" }));
  const address = await server.listen(config.port, config.host);
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  log.info(
    { appId: config.appId, github: config.github.webUrl, redis: Boolean(config.redisUrl), throttling: config.throttling },
    `agent-policy is serving: webhooks at http://${shown}:${address.port}${WEBHOOK_PATH} for app ${config.appId} on ${config.github.webUrl}`,
  );

  return {
    port: address.port,
    stop: async () => {
      log.info({ pending: endpoint.pending }, `stopping: no new webhooks; waiting up to ${config.shutdownTimeoutMs} ms for ${endpoint.pending} in flight`);
      const result = await server.close(config.shutdownTimeoutMs);
      await audit.close();
      return result;
    },
  };
}
