import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { WEBHOOK_PATH, type WebhookEndpoint } from "./webhook-endpoint.js";

/** A plain GET endpoint next to the webhook one (`/ping`, `/healthz`, `/metrics`), or a whole tree of them (`prefix`). */
export interface Route {
  path: string;
  /** Also answers every path under `path` (`/agent-policy/...`). */
  prefix?: boolean;
  /** GET and HEAD unless given. */
  methods?: readonly string[];
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
}

export const pingRoute: Route = {
  path: "/ping",
  handle: (_req, res) => void res.writeHead(200, { "content-type": "text/plain" }).end("PONG"),
};

/**
 * The app's HTTP server: GitHub's webhooks on POST /api/github/webhooks, the
 * GET routes it is given, 404 elsewhere. `close` stops taking connections,
 * lets the deliveries in flight finish (bounded), and reports what did not.
 */
export class AppServer {
  private readonly server: Server;
  private readonly routes: Map<string, Route>;
  private readonly prefixes: Route[];

  constructor(
    private readonly webhooks: WebhookEndpoint,
    routes: Route[],
    private readonly log: Logger,
  ) {
    this.routes = new Map(routes.filter((r) => !r.prefix).map((r) => [r.path, r]));
    this.prefixes = routes.filter((r) => r.prefix);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.log.error({ err: error }, "request failed");
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    // Slow clients must not hold a connection open for ever.
    this.server.requestTimeout = 60_000;
    this.server.headersTimeout = 20_000;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "") || "/";
    if (path === WEBHOOK_PATH) return this.webhooks.handle(req, res);
    const route = this.routes.get(path) ?? this.prefixes.find((r) => path === r.path || path.startsWith(`${r.path}/`));
    if (route && (route.methods ?? ["GET", "HEAD"]).includes(req.method ?? "GET")) return route.handle(req, res);
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ port, host }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /**
   * Graceful stop: no new connections, new requests on open ones get 503,
   * deliveries in flight run to the end (their checks and audit records
   * included) for at most `timeoutMs`.
   */
  async close(timeoutMs: number): Promise<{ unfinished: string[] }> {
    this.webhooks.drain();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const result = await this.webhooks.settled(timeoutMs);
    this.server.closeAllConnections();
    await closed;
    return result;
  }
}
