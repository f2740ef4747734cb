import type { Route } from "./app-server.js";

/** One thing the app needs in order to do its work; `check` throws, saying why, when it cannot. */
export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/**
 * How long /healthz waits for a probe. It must answer before whatever polls
 * it gives up: the image's HEALTHCHECK script aborts after 4 s and the image
 * kills it after 5 s, so a slow GitHub host reads as "not ready" with its
 * reason in the body rather than as a probe that timed out without one.
 */
export const PROBE_TIMEOUT_MS = 3000;

/**
 * Readiness from a list of probes (GitHub, the audit store, …): ready only
 * when every probe passes within `timeoutMs`. A report is reused for `cacheMs`
 * and concurrent requests share one round of probes, so a load balancer
 * polling /healthz does not turn into GitHub API traffic.
 */
export class Readiness {
  private last: { at: number; report: ReadinessReport } | undefined;
  private running: Promise<ReadinessReport> | undefined;

  constructor(
    private readonly probes: ReadinessProbe[],
    private readonly options: { timeoutMs?: number; cacheMs?: number } = {},
  ) {}

  async report(): Promise<ReadinessReport> {
    const cacheMs = this.options.cacheMs ?? 5000;
    if (this.last && Date.now() - this.last.at < cacheMs) return this.last.report;
    this.running ??= this.probe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<ReadinessReport> {
    const timeoutMs = this.options.timeoutMs ?? PROBE_TIMEOUT_MS;
    const results = await Promise.all(
      this.probes.map(async (probe) => {
        const started = Date.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe.check(),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))),
          ]);
          return [probe.name, { ok: true, ms: Date.now() - started }] as const;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [probe.name, { ok: false, ms: Date.now() - started, error: message.slice(0, 300) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const report = { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
    this.last = { at: Date.now(), report };
    return report;
  }

  /** GET /healthz: 200 when ready, 503 with the failing checks otherwise, and 503 once the server is stopping. */
  route(stopping: () => boolean): Route {
    return {
      path: "/healthz",
      handle: async (_req, res) => {
        const body = stopping() ? { status: "stopping" } : await this.report().then((r) => ({ status: r.ready ? "ready" : "not ready", ...r }));
        const text = JSON.stringify(body);
        res.writeHead(body.status === "ready" ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" }).end(text);
      },
    };
  }
}
