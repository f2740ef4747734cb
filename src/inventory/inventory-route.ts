import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AuditStore } from "../audit/audit-store.js";
import type { GitHubHost } from "../server/config.js";
import type { Route } from "../server/app-server.js";
import { csv } from "./csv.js";
import { GitHubUserApi, GitHubUserError, type UserAccess } from "./github-user.js";
import { html } from "./html.js";
import { INVENTORY_CSS, INVENTORY_JS } from "./inventory-assets.js";
import { InventoryService } from "./inventory-service.js";
import type { ActivityFilter } from "./inventory-data.js";
import { RepositoryFactsReader, type InstallationClient } from "./repository-facts.js";
import { CookieSealer, cookieHeader, openSession, parseCookies, SESSION_COOKIE, SESSION_TTL_MS, STATE_COOKIE, type Session } from "./session.js";
import { activityView, agentsView, driftView, layout, postureView, waitingView, type PageContext } from "./views.js";

export const INVENTORY_PATH = "/agent-policy";

export interface InventoryConfig {
  sessionSecret: string;
  clientId: string;
  clientSecret: string;
  /** The app's public base URL; the OAuth callback is `<publicUrl>/agent-policy/auth/callback`. */
  publicUrl?: string;
}

/** The inventory's configuration, or why it is off (the server logs it and serves no page). */
export function readInventoryConfig(env: NodeJS.ProcessEnv): InventoryConfig | { disabled: string } {
  const missing = ["SESSION_SECRET", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"].filter((name) => !env[name]);
  if (missing.length) return { disabled: `the agent inventory at ${INVENTORY_PATH}/ is disabled: ${missing.join(", ")} not set (README, "Agent inventory")` };
  if (env.SESSION_SECRET!.length < 32) return { disabled: `the agent inventory at ${INVENTORY_PATH}/ is disabled: SESSION_SECRET must be at least 32 characters` };
  return {
    sessionSecret: env.SESSION_SECRET!,
    clientId: env.GITHUB_CLIENT_ID!,
    clientSecret: env.GITHUB_CLIENT_SECRET!,
    ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL.replace(/\/+$/, "") } : {}),
  };
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

const ACCESS_TTL_MS = 60_000;

/**
 * The agent inventory under /agent-policy/: sign-in with GitHub, then the
 * views and their JSON API, scoped to what GitHub says the user can read.
 * Nothing but the sign-in flow and the static stylesheet and script answers
 * without a session.
 */
export class InventoryRoute implements Route {
  readonly path = INVENTORY_PATH;
  readonly prefix = true;
  readonly methods = ["GET", "HEAD", "POST"];
  private readonly sealer: CookieSealer;
  private readonly github: GitHubUserApi;
  private readonly service: InventoryService;
  private readonly accessCache = new Map<string, { at: number; access: UserAccess }>();

  constructor(
    private readonly config: InventoryConfig,
    private readonly host: GitHubHost,
    store: AuditStore,
    installationClient: InstallationClient | undefined,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.sealer = new CookieSealer(config.sessionSecret);
    this.github = new GitHubUserApi(host, config.clientId, config.clientSecret);
    this.service = new InventoryService(store, installationClient ? new RepositoryFactsReader(installationClient) : undefined);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://inventory");
    const sub = url.pathname.slice(INVENTORY_PATH.length).replace(/^\/+|\/+$/g, "");
    const method = req.method ?? "GET";

    if (sub === "static/inventory.css") return this.send(res, 200, "text/css; charset=utf-8", INVENTORY_CSS);
    if (sub === "static/inventory.js") return this.send(res, 200, "text/javascript; charset=utf-8", INVENTORY_JS);
    if (sub === "auth/signin" && method === "GET") return this.signIn(req, res);
    if (sub === "auth/callback" && method === "GET") return this.callback(req, res, url);
    if (sub === "auth/signout") {
      if (method !== "POST") return this.send(res, 405, "text/plain", "Sign out with POST\n", { allow: "POST" });
      return this.signOut(req, res);
    }
    if (sub === "auth/signed-out" && method === "GET") {
      return this.send(res, 200, "text/html; charset=utf-8", signedOutPage());
    }
    if (method !== "GET" && method !== "HEAD") return this.send(res, 405, "text/plain", "Method Not Allowed\n", { allow: "GET" });

    const api = sub === "api" || sub.startsWith("api/");
    const session = openSession(this.sealer, parseCookies(req.headers.cookie).get(SESSION_COOKIE), this.clock().getTime());
    if (!session) return this.unauthenticated(res, api);

    let access: UserAccess;
    try {
      access = await this.access(session);
    } catch (error) {
      if (error instanceof GitHubUserError && error.status === 401) {
        // The user revoked the token, or GitHub expired it: the session is over.
        res.setHeader("set-cookie", cookieHeader(SESSION_COOKIE, "", { secure: this.secure(req), maxAgeSeconds: 0 }));
        return this.unauthenticated(res, api);
      }
      this.log.warn({ err: error, login: session.login }, "could not list what the signed-in user can read; showing nothing");
      return api
        ? this.json(res, 502, { error: "GitHub could not say what you can read; try again" })
        : this.send(res, 502, "text/plain; charset=utf-8", "GitHub could not say what you can read; try again.\n");
    }
    const now = this.clock();
    const ctx: PageContext = { login: session.login, csrf: this.sealer.csrfToken(session), webUrl: this.host.webUrl, now };
    const page = (view: string, body: ReturnType<typeof html>) => this.send(res, 200, "text/html; charset=utf-8", layout(ctx, view, body));

    switch (sub) {
      case "":
        return page("", agentsView(ctx, await this.service.agents(access, now)));
      case "activity": {
        const { filter, raw } = activityFilter(url);
        const result = await this.service.activity(access, filter);
        const all = await this.service.records(access);
        return page("activity", activityView(ctx, result.records, { ...choices(all), filter: raw }, result.total));
      }
      case "waiting":
        return page("waiting", waitingView(ctx, await this.service.waiting(access, now)));
      case "posture":
        return page("posture", postureView(ctx, await this.service.posture(access)));
      case "drift":
        return page("drift", driftView(ctx, await this.service.drift(access, now)));
      case "api/agents":
        return this.json(res, 200, { agents: await this.service.agents(access, now) });
      case "api/agents.csv":
        return this.send(res, 200, "text/csv; charset=utf-8", agentsCsv(await this.service.agents(access, now)), {
          "content-disposition": 'attachment; filename="agents.csv"',
        });
      case "api/activity": {
        const result = await this.service.activity(access, activityFilter(url).filter);
        return this.json(res, 200, { total: result.total, records: result.records });
      }
      case "api/waiting":
        return this.json(res, 200, await this.service.waiting(access, now));
      case "api/posture":
        return this.json(res, 200, { repositories: await this.service.posture(access) });
      case "api/drift":
        return this.json(res, 200, { flags: await this.service.drift(access, now) });
      default:
        return api ? this.json(res, 404, { error: "not found" }) : this.send(res, 404, "text/plain", "Not Found\n");
    }
  }

  private async access(session: Session): Promise<UserAccess> {
    const now = Date.now();
    const hit = this.accessCache.get(session.id);
    if (hit && now - hit.at < ACCESS_TTL_MS) return hit.access;
    const access = await this.github.access(session.token, session.login);
    if (this.accessCache.size > 1000) this.accessCache.clear();
    this.accessCache.set(session.id, { at: now, access });
    return access;
  }

  private unauthenticated(res: ServerResponse, api: boolean): void {
    if (api) return this.json(res, 401, { error: "sign in first", signIn: `${INVENTORY_PATH}/auth/signin` });
    res.writeHead(302, { ...SECURITY_HEADERS, location: `${INVENTORY_PATH}/auth/signin` }).end();
  }

  private secure(req: IncomingMessage): boolean {
    return this.config.publicUrl ? this.config.publicUrl.startsWith("https://") : req.headers["x-forwarded-proto"] === "https";
  }

  private callbackUrl(req: IncomingMessage): string {
    if (this.config.publicUrl) return `${this.config.publicUrl}${INVENTORY_PATH}/auth/callback`;
    const host = /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host ?? "") ? req.headers.host! : "localhost";
    return `${this.secure(req) ? "https" : "http"}://${host}${INVENTORY_PATH}/auth/callback`;
  }

  private signIn(req: IncomingMessage, res: ServerResponse): void {
    const state = randomBytes(32).toString("base64url");
    const sealed = this.sealer.seal("oauth-state", { state, expires: this.clock().getTime() + 600_000 });
    res.writeHead(302, {
      ...SECURITY_HEADERS,
      "set-cookie": cookieHeader(STATE_COOKIE, sealed, { secure: this.secure(req), maxAgeSeconds: 600 }),
      location: this.github.authorizeUrl(state, this.callbackUrl(req)),
    });
    res.end();
  }

  private async callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const secure = this.secure(req);
    const clearState = cookieHeader(STATE_COOKIE, "", { secure, maxAgeSeconds: 0 });
    const expected = this.sealer.open<{ state: string; expires: number }>("oauth-state", parseCookies(req.headers.cookie).get(STATE_COOKIE));
    const state = url.searchParams.get("state") ?? "";
    const code = url.searchParams.get("code") ?? "";
    const stateOk =
      expected !== undefined &&
      expected.expires > this.clock().getTime() &&
      Buffer.byteLength(state) === Buffer.byteLength(expected.state) &&
      timingSafeEqual(Buffer.from(state), Buffer.from(expected.state));
    if (!stateOk || !code) {
      this.log.warn({ stateOk, code: Boolean(code) }, "agent inventory sign-in refused: the state does not match the one this browser was given");
      return this.send(res, 400, "text/html; charset=utf-8", messagePage("Sign-in failed", "The sign-in could not be verified. Start again."), { "set-cookie": clearState });
    }
    let session: Session;
    try {
      const token = await this.github.exchangeCode(code, this.callbackUrl(req));
      const login = await this.github.login(token);
      session = { login, token, id: randomBytes(16).toString("base64url"), expires: this.clock().getTime() + SESSION_TTL_MS };
    } catch (error) {
      this.log.warn({ err: error }, "agent inventory sign-in failed at GitHub");
      return this.send(res, 502, "text/html; charset=utf-8", messagePage("Sign-in failed", "GitHub did not complete the sign-in. Start again."), { "set-cookie": clearState });
    }
    this.log.info({ login: session.login }, "signed in to the agent inventory");
    res.writeHead(302, {
      ...SECURITY_HEADERS,
      "set-cookie": [clearState, cookieHeader(SESSION_COOKIE, this.sealer.seal("session", session), { secure, maxAgeSeconds: SESSION_TTL_MS / 1000 })],
      location: `${INVENTORY_PATH}/`,
    });
    res.end();
  }

  private async signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readSmallBody(req, 4096);
    const csrf = new URLSearchParams(body ?? "").get("csrf") ?? undefined;
    const session = openSession(this.sealer, parseCookies(req.headers.cookie).get(SESSION_COOKIE), this.clock().getTime());
    const crossSite = req.headers["sec-fetch-site"] !== undefined && req.headers["sec-fetch-site"] !== "same-origin";
    if (!session || crossSite || !this.sealer.checkCsrf(session, csrf)) {
      return this.send(res, 403, "text/plain; charset=utf-8", "Sign-out refused: the form did not come from this page.\n");
    }
    this.accessCache.delete(session.id);
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      "set-cookie": cookieHeader(SESSION_COOKIE, "", { secure: this.secure(req), maxAgeSeconds: 0 }),
      location: `${INVENTORY_PATH}/auth/signed-out`,
    });
    res.end();
  }

  private send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string | string[]> = {}): void {
    res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...headers }).end(body);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    this.send(res, status, "application/json; charset=utf-8", JSON.stringify(body));
  }
}

function readSmallBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(undefined));
  });
}

function parseDay(value: string | null): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(value)) return undefined;
  const time = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isFinite(time) ? new Date(time) : undefined;
}

/** The activity filter from the query string: repository, agent, decision, rule, since, until (dates: `until` includes its day). */
function activityFilter(url: URL): { filter: ActivityFilter; raw: Record<string, string> } {
  const raw: Record<string, string> = {};
  for (const key of ["repository", "agent", "decision", "rule", "since", "until"]) {
    const value = url.searchParams.get(key);
    if (value) raw[key] = value.slice(0, 200);
  }
  const since = parseDay(raw.since ?? null);
  let until = parseDay(raw.until ?? null);
  if (until && raw.until?.length === 10) until = new Date(until.getTime() + 86_400_000);
  return {
    raw,
    filter: {
      ...(raw.repository ? { repository: raw.repository } : {}),
      ...(raw.agent ? { agent: raw.agent } : {}),
      ...(raw.decision ? { decision: raw.decision } : {}),
      ...(raw.rule ? { ruleId: raw.rule } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    },
  };
}

function choices(records: { repository: string; agents: { key: string }[]; ruleIds: string[] }[]) {
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    repositories: sorted(new Set(records.map((r) => r.repository))),
    agents: sorted(new Set(records.flatMap((r) => r.agents.map((a) => a.key)))),
    rules: sorted(new Set(records.flatMap((r) => r.ruleIds))),
  };
}

function agentsCsv(agents: Awaited<ReturnType<InventoryService["agents"]>>): string {
  return csv([
    ["organisation", "assistant", "owner", "registered", "repositories", "expires", "suspended", "last_activity", "allow_7d", "step_up_7d", "deny_7d", "allow_30d", "step_up_30d", "deny_30d", "incidents", "active_grants"],
    ...agents.map((a) => [
      a.organisation,
      a.agent,
      a.owner ?? "",
      a.registered,
      a.repositories.join(" "),
      a.expires ?? "",
      a.suspended,
      a.lastActivity,
      a.last7.allow,
      a.last7.step_up,
      a.last7.deny,
      a.last30.allow,
      a.last30.step_up,
      a.last30.deny,
      a.incidents,
      a.activeGrants.map((g) => `${g.scope.join(" ")} by ${g.by}`).join("; "),
    ]),
  ]);
}

function messagePage(title: string, message: string): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Agent inventory</title><link rel="stylesheet" href="/agent-policy/static/inventory.css"></head>
<body><main><h1>${title}</h1><p>${message}</p><p><a href="/agent-policy/auth/signin">Sign in with GitHub</a></p></main></body></html>`.text;
}

function signedOutPage(): string {
  return messagePage("Signed out", "You are signed out of the agent inventory.");
}
