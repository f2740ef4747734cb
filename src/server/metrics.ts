import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AuditRecord } from "../audit/audit-record.js";
import type { WebhookObserver, WebhookOutcome } from "./webhook-endpoint.js";

/** What the metrics learn about each GitHub API call (from the Octokit hook). */
export interface GitHubCallObserver {
  started(kind: "read" | "write"): void;
  finished(call: { kind: "read" | "write"; method: string; route: string; status: number | "network"; conclusion?: string }): void;
}

/**
 * The app's Prometheus metrics (prom-client), in a registry of its own:
 * webhooks by event and outcome, handling latency, decisions by verdict and by
 * rule, check runs posted, GitHub API calls and errors by route and status,
 * what is queued (deliveries being handled, GitHub calls waiting or running),
 * and Node's process metrics.
 */
export class AppMetrics implements WebhookObserver, GitHubCallObserver {
  readonly registry = new Registry();
  private readonly webhooks: Counter<"event" | "outcome">;
  private readonly latency: Histogram<"event" | "outcome">;
  private readonly decisions: Counter<"verdict" | "response">;
  private readonly rules: Counter<"rule" | "verdict">;
  private readonly checkRuns: Counter<"conclusion">;
  private readonly calls: Counter<"method" | "route" | "status">;
  private readonly callErrors: Counter<"method" | "route" | "status">;
  private readonly callsPending: Gauge<"kind">;

  constructor(options: { deliveriesInFlight: () => number; processMetrics?: boolean }) {
    const registers = [this.registry];
    this.webhooks = new Counter({ name: "agent_policy_webhooks_total", help: "Webhook deliveries answered, by event (name.action; 'unverified' before the signature is checked) and outcome.", labelNames: ["event", "outcome"], registers });
    this.latency = new Histogram({
      name: "agent_policy_evaluation_duration_seconds",
      help: "Time from receiving a verified delivery to the end of its handling (evaluation, check run, audit record), by event and outcome.",
      labelNames: ["event", "outcome"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.decisions = new Counter({ name: "agent_policy_decisions_total", help: "Decisions (one audit record each), by verdict (allow, step_up, deny, error) and the app's response.", labelNames: ["verdict", "response"], registers });
    this.rules = new Counter({ name: "agent_policy_rule_decisions_total", help: "Decisions by rule id they cite (a decision citing several rules counts once for each) and verdict.", labelNames: ["rule", "verdict"], registers });
    this.checkRuns = new Counter({ name: "agent_policy_check_runs_posted_total", help: "Agent Policy check runs created on GitHub, by conclusion.", labelNames: ["conclusion"], registers });
    this.calls = new Counter({ name: "agent_policy_github_requests_total", help: "GitHub API calls, by method, route template and HTTP status ('network' when no answer came).", labelNames: ["method", "route", "status"], registers });
    this.callErrors = new Counter({ name: "agent_policy_github_request_errors_total", help: "GitHub API calls that failed (HTTP 4xx/5xx other than 304, or no answer), by method, route and status.", labelNames: ["method", "route", "status"], registers });
    this.callsPending = new Gauge({ name: "agent_policy_github_requests_pending", help: "GitHub API calls issued and not yet answered, including time queued by the rate limiter, by kind (read, write).", labelNames: ["kind"], registers });
    this.callsPending.set({ kind: "read" }, 0);
    this.callsPending.set({ kind: "write" }, 0);
    new Gauge({
      name: "agent_policy_deliveries_in_flight",
      help: "Verified webhook deliveries whose handling has not finished.",
      registers,
      collect() {
        this.set(options.deliveriesInFlight());
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "agent_policy_" });
  }

  answered(event: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ event, outcome });
  }

  handled(event: string, outcome: "processed" | "failed", seconds: number): void {
    this.latency.observe({ event, outcome }, seconds);
  }

  decided(record: Pick<AuditRecord, "decision" | "response" | "ruleIds">): void {
    this.decisions.inc({ verdict: record.decision, response: record.response });
    for (const rule of record.ruleIds) this.rules.inc({ rule, verdict: record.decision });
  }

  started(kind: "read" | "write"): void {
    this.callsPending.inc({ kind });
  }

  finished(call: { kind: "read" | "write"; method: string; route: string; status: number | "network"; conclusion?: string }): void {
    this.callsPending.dec({ kind: call.kind });
    const labels = { method: call.method, route: call.route, status: String(call.status) };
    this.calls.inc(labels);
    if (call.status === "network" || (call.status >= 400 && call.status !== 304)) this.callErrors.inc(labels);
    if (call.method === "POST" && call.route === "/repos/{owner}/{repo}/check-runs" && typeof call.status === "number" && call.status < 300) {
      this.checkRuns.inc({ conclusion: call.conclusion ?? "none" });
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
