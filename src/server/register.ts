import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { ProbotOctokit } from "probot";
import { appManifest, newAppUrl, readAppYml, REGISTRATION_CALLBACK_PATH } from "./app-manifest.js";
import type { RegisterConfig } from "./config.js";

/** What GitHub's manifest conversion returns that the app keeps. */
export interface RegisteredApp {
  id: number;
  slug: string;
  htmlUrl: string;
  owner: string;
}

/** The registration flow failed; the message says at which step. */
export class RegistrationError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "RegistrationError";
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sameState(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The address the operator's browser used, unless PUBLIC_URL says where GitHub will reach the app. */
function publicUrlOf(req: IncomingMessage, config: RegisterConfig): string {
  if (config.publicUrl) return config.publicUrl;
  const forwardedProto = String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim();
  const forwardedHost = String(req.headers["x-forwarded-host"] ?? "").split(",")[0]?.trim();
  return `${forwardedProto || "http"}://${forwardedHost || req.headers.host || `localhost:${config.port}`}`;
}

/** Quotes a value for `.env` the way Node's parser reads it back (newlines as `\n` inside double quotes). */
function envLine(key: string, value: string): string {
  return `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/**
 * Writes the new credentials into `.env` (mode 0600), keeping every other line
 * of an existing file. The OAuth client secret GitHub also returns is not kept:
 * the app never signs users in.
 */
export function writeCredentials(file: string, credentials: { APP_ID: string; PRIVATE_KEY: string; WEBHOOK_SECRET: string }): void {
  const keys = new Set(Object.keys(credentials));
  const kept = existsSync(file)
    ? readFileSync(file, "utf8").split("\n").filter((line) => !keys.has(line.split("=")[0]!.trim()) && line.trim() !== "")
    : [];
  const lines = [...kept, ...Object.entries(credentials).map(([k, v]) => envLine(k, v))];
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${lines.join("\n")}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;line-height:1.5">${body}</body></html>`;
}

/**
 * Runs the registration flow until the app exists on GitHub and its
 * credentials are in `.env`:
 *
 * 1. GET / shows one button that posts app.yml's manifest to GitHub's "new
 *    GitHub App" page of GH_ORG (with a random `state`).
 * 2. GitHub sends the browser back to /setup/callback with a code; the code
 *    (accepted only with the same `state`, so nobody else's app can be slipped
 *    in) is exchanged for the app's id, private key and webhook secret.
 * 3. They are written to `.env`, the browser goes on to the app's installation
 *    page, and the promise resolves: the caller starts serving.
 */
export async function register(config: RegisterConfig, log: Logger): Promise<RegisteredApp> {
  const state = randomBytes(20).toString("hex");
  const app = readAppYml();
  let finish!: (registered: RegisteredApp) => void;
  const finished = new Promise<RegisteredApp>((resolve) => (finish = resolve));
  let converting = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://registration.invalid");
    if (req.method !== "GET") return void res.writeHead(405).end();
    if (url.pathname === "/ping") return void res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
    if (url.pathname === "/") {
      const manifest = JSON.stringify(appManifest(publicUrlOf(req, config), app));
      const target = newAppUrl(config.github.webUrl, config.org, state);
      const owner = config.org ? `the organisation <b>${escapeHtml(config.org)}</b>` : "<b>your personal account</b> (set GH_ORG to register it for an organisation)";
      const body = `<h1>Register ${escapeHtml(app.name)}</h1>
<p>This creates a private GitHub App owned by ${owner} on ${escapeHtml(config.github.webUrl)}, with the permissions and events of <code>app.yml</code>, sending webhooks to <code>${escapeHtml(JSON.parse(manifest).hook_attributes.url)}</code>.</p>
<form action="${escapeHtml(target)}" method="post"><input type="hidden" name="manifest" value="${escapeHtml(manifest)}"><button type="submit">Register on GitHub</button></form>`;
      return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(`Register ${app.name}`, body));
    }
    if (url.pathname === REGISTRATION_CALLBACK_PATH) {
      const code = url.searchParams.get("code");
      if (!code || !/^[\w-]{1,100}$/.test(code) || !sameState(state, url.searchParams.get("state"))) {
        log.warn("registration callback refused: missing code or a state this server did not issue");
        return void res.writeHead(400, { "content-type": "text/plain" }).end("This registration link was not started here; open / to start again.\n");
      }
      if (converting) return void res.writeHead(409, { "content-type": "text/plain" }).end("Registration is already being completed.\n");
      converting = true;
      let registered: RegisteredApp;
      try {
        const octokit = new ProbotOctokit({ baseUrl: config.github.apiUrl, throttle: { enabled: false }, retry: { enabled: false } } as never);
        const { data } = await octokit.request("POST /app-manifests/{code}/conversions", { code });
        if (!data.webhook_secret || !data.pem) throw new RegistrationError("GitHub returned no webhook secret or private key");
        writeCredentials(config.envFile, { APP_ID: String(data.id), PRIVATE_KEY: data.pem, WEBHOOK_SECRET: data.webhook_secret });
        registered = { id: data.id, slug: data.slug ?? app.name, htmlUrl: data.html_url, owner: (data.owner as { login?: string } | null)?.login ?? "" };
      } catch (error) {
        converting = false;
        log.error({ err: error }, "registration failed: GitHub did not convert the manifest code");
        return void res.writeHead(502, { "content-type": "text/plain" }).end("GitHub did not complete the registration; see the server log, then open / to start again.\n");
      }
      log.info({ appId: registered.id, owner: registered.owner }, `registered GitHub App ${registered.slug} (id ${registered.id}) for ${registered.owner}; credentials written to ${config.envFile}`);
      res.writeHead(302, { location: `${registered.htmlUrl}/installations/new`, connection: "close" }).end(() => finish(registered));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, "registration request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: config.port, host: config.host }, resolve);
  });
  const address = server.address() as { port: number };
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  log.info(
    { org: config.org ?? null },
    `agent-policy has no app credentials yet: open http://${shownHost}:${address.port}/ to register the GitHub App${config.org ? ` for ${config.org}` : ""}`,
  );
  if (!config.org) {
    log.warn("GH_ORG is not set: the app would belong to your personal account and, being private, could only be installed there");
  }

  const registered = await finished;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return registered;
}
