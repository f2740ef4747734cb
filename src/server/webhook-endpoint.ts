import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** The largest payload GitHub delivers (25 MB); anything larger is not GitHub. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** GitHub gives up on a delivery after 10 s; answer `202` before that and keep working. */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 9_000;

export const WEBHOOK_PATH = "/api/github/webhooks";

/** What the endpoint needs of Probot's `Webhooks`: signature verification and dispatch to the handlers. */
export interface WebhookReceiver {
  verify(payload: string, signature: string): Promise<boolean>;
  receive(event: { id: string; name: string; payload: unknown }): Promise<void>;
}

/** How one request to the webhook endpoint ended. */
export type WebhookOutcome = "processed" | "failed" | "accepted" | "bad_signature" | "bad_request" | "shutting_down";

export interface WebhookObserver {
  /** A delivery was answered (`event` is `name.action` when verified, else `unverified`). */
  answered(event: string, outcome: WebhookOutcome): void;
  /** A verified delivery's handlers finished; `seconds` from receipt. */
  handled(event: string, outcome: "processed" | "failed", seconds: number): void;
}

/** Header values are chosen by whoever sends the request: short and printable before they reach a log line. */
function headerText(value: string | string[] | undefined, max = 100): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== "string") return undefined;
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, max);
}

function reply(res: ServerResponse, status: number, body: string, type = "text/plain", extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)), ...extra }).end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Receives GitHub's webhook deliveries. This takes the place of
 * @octokit/webhooks' Node middleware, whose checks it repeats (path, method,
 * JSON content type, the three GitHub headers, the signature — verified by the
 * library's own `verify`), because the middleware logs a rejected request with
 * its whole payload, on several lines, and offers no way to know which
 * deliveries are still being handled, which a graceful shutdown needs.
 */
export class WebhookEndpoint {
  private readonly inFlight = new Map<number, { deliveryId: string; done: Promise<void> }>();
  private sequence = 0;
  private draining_ = false;

  constructor(
    private readonly webhooks: WebhookReceiver,
    private readonly log: Logger,
    private readonly options: { responseTimeoutMs?: number; observer?: WebhookObserver } = {},
  ) {}

  /** Deliveries whose handlers are still running. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** True once `drain` was called: the server is stopping. */
  get draining(): boolean {
    return this.draining_;
  }

  /** Refuse new deliveries from now on (`503`); those already received go on. */
  drain(): void {
    this.draining_ = true;
  }

  /** Resolves when every delivery in flight has finished, or after `timeoutMs` with the ids of those that had not. */
  async settled(timeoutMs: number): Promise<{ unfinished: string[] }> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight.values()].map((d) => d.done)),
        new Promise((resolve) => (timer = setTimeout(resolve, remaining))),
      ]);
      clearTimeout(timer);
    }
    return { unfinished: [...this.inFlight.values()].map((d) => d.deliveryId) };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const observer = this.options.observer;
    const rejectWith = (status: number, error: string, outcome: WebhookOutcome) => {
      observer?.answered("unverified", outcome);
      reply(res, status, JSON.stringify({ error }), "application/json");
    };
    if (this.draining_) {
      observer?.answered("unverified", "shutting_down");
      return reply(res, 503, JSON.stringify({ error: "shutting down; redeliver later" }), "application/json", { connection: "close", "retry-after": "30" });
    }
    if (req.method !== "POST") return rejectWith(405, `use POST on ${WEBHOOK_PATH}`, "bad_request");
    if (!/^\s*application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
      return rejectWith(415, 'the content type must be "application/json"', "bad_request");
    }
    const name = headerText(req.headers["x-github-event"], 64);
    const deliveryId = headerText(req.headers["x-github-delivery"]);
    const signature = headerText(req.headers["x-hub-signature-256"], 200);
    if (!name || !deliveryId || !signature) {
      return rejectWith(400, "the X-GitHub-Event, X-GitHub-Delivery and X-Hub-Signature-256 headers are required", "bad_request");
    }
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (!body) return rejectWith(413, `payloads are at most ${MAX_PAYLOAD_BYTES} bytes`, "bad_request");
    const text = body.toString("utf8");
    if (!(await this.webhooks.verify(text, signature).catch(() => false))) {
      this.log.warn({ deliveryId, event: name }, "webhook rejected: X-Hub-Signature-256 does not match the payload and WEBHOOK_SECRET");
      return rejectWith(401, "signature does not match", "bad_signature");
    }
    let payload: { action?: unknown };
    try {
      payload = JSON.parse(text);
    } catch {
      this.log.warn({ deliveryId, event: name }, "webhook rejected: the signed payload is not JSON");
      return rejectWith(400, "the payload is not JSON", "bad_request");
    }
    const event = typeof payload?.action === "string" ? `${name}.${headerText(payload.action, 64)}` : name;

    const started = process.hrtime.bigint();
    const key = ++this.sequence;
    const work = this.webhooks.receive({ id: deliveryId, name, payload }).then(
      () => "processed" as const,
      (error: unknown) => ({ error }),
    );
    const done = work.then((result) => {
      this.inFlight.delete(key);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const outcome = result === "processed" ? "processed" : "failed";
      observer?.handled(event, outcome, seconds);
      this.log.info({ deliveryId, event, outcome, ms: Math.round(seconds * 1000) }, `webhook ${event} ${outcome} in ${Math.round(seconds * 1000)} ms`);
    });
    this.inFlight.set(key, { deliveryId, done });

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS)));
    const first = await Promise.race([work, timeout]);
    clearTimeout(timer);
    if (first === "timeout") {
      observer?.answered(event, "accepted");
      return reply(res, 202, "accepted; still processing\n");
    }
    if (first === "processed") {
      observer?.answered(event, "processed");
      return reply(res, 200, "ok\n");
    }
    // The handlers' failure was logged by the error handlers (summarised); GitHub shows this body in the delivery's log.
    observer?.answered(event, "failed");
    const message = first.error instanceof Error ? first.error.message : String(first.error);
    return reply(res, 500, JSON.stringify({ error: message.slice(0, 300) }), "application/json");
  }
}
