import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appKeyPair } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { AppProcess } from "./server-process.js";

const appYml = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8"));

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
}

describe("registering the app with `npm start` and no credentials", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  const cwd = mkdtempSync(join(tmpdir(), "agent-policy-register-"));
  let app: AppProcess;
  let githubPort = 0;
  let registrationUrl = "";

  beforeAll(async () => {
    githubPort = await github.start();
    app = new AppProcess(
      { PORT: "0", HOST: "127.0.0.1", GH_ORG: "acme", GHE_HOST: `127.0.0.1:${githubPort}`, GHE_PROTOCOL: "http", LOG_LEVEL: "info" },
      { cwd },
    );
    app.launch();
    const line = await app.waitForLog((l) => typeof l.msg === "string" && l.msg.includes("no app credentials yet"));
    registrationUrl = /open (http:\/\/\S+\/) to register/.exec(line.msg)![1]!;
  });

  afterAll(async () => {
    await app?.stop();
    await github.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  let state = "";
  let manifest: Record<string, any> = {};

  it("shows a page that posts app.yml's manifest to the organisation's new-app page, webhooks on /api/github/webhooks", async () => {
    expect(registrationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const html = await (await fetch(registrationUrl)).text();
    const action = unescapeHtml(/<form action="([^"]+)"/.exec(html)![1]!);
    const url = new URL(action);
    expect(`${url.origin}${url.pathname}`).toBe(`http://127.0.0.1:${githubPort}/organizations/acme/settings/apps/new`);
    state = url.searchParams.get("state")!;
    expect(state).toMatch(/^[0-9a-f]{40}$/);
    manifest = JSON.parse(unescapeHtml(/name="manifest" value="([^"]+)"/.exec(html)![1]!));
    const base = registrationUrl.replace(/\/$/, "");
    expect(manifest).toMatchObject({
      name: appYml.name,
      public: false,
      default_events: appYml.default_events,
      default_permissions: appYml.default_permissions,
      hook_attributes: { url: `${base}/api/github/webhooks`, active: true },
      redirect_url: `${base}/setup/callback`,
    });
  });

  it("refuses a callback with a state it did not issue, without asking GitHub", async () => {
    github.manifestConversions.set("planted-code", { id: 666 });
    const response = await fetch(`${registrationUrl}setup/callback?code=planted-code&state=${"0".repeat(40)}`, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(github.requests.filter((r) => r.path.startsWith("/app-manifests/"))).toEqual([]);
  });

  it("exchanges GitHub's code for the credentials, writes .env (0600), sends the browser to the installation page", async () => {
    github.manifestConversions.set("code-123", {
      id: 4242,
      slug: "agent-policy-acme",
      name: "agent-policy",
      html_url: "https://github.com/apps/agent-policy-acme",
      owner: { login: "acme", type: "Organization" },
      pem: keys.privateKey,
      webhook_secret: "generated-webhook-secret",
      client_id: "Iv1.abc",
      client_secret: "oauth-client-secret",
    });
    const response = await fetch(`${registrationUrl}setup/callback?code=code-123&state=${state}`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://github.com/apps/agent-policy-acme/installations/new");

    const envFile = join(cwd, ".env");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const written = parseEnv(readFileSync(envFile, "utf8"));
    expect(written).toEqual({ APP_ID: "4242", PRIVATE_KEY: keys.privateKey, WEBHOOK_SECRET: "generated-webhook-secret" });
  });

  it("then says it is serving, and accepts webhooks signed with the new secret only", async () => {
    await app.waitForServing();
    expect(app.logs.some((l) => /registered GitHub App agent-policy-acme \(id 4242\) for acme/.test(l.msg))).toBe(true);
    expect(app.logs.some((l) => typeof l.msg === "string" && l.msg.includes("no credentials"))).toBe(false);
    const ping = { zen: "Keep it logically awesome.", hook_id: 1 };
    expect((await app.sendWebhook("ping", ping, "generated-webhook-secret", "after-registration-1")).status).toBe(200);
    expect((await app.sendWebhook("ping", ping, "development", "after-registration-2")).status).toBe(401);
  });

  it("serves straight away on the next start, from the .env it wrote", async () => {
    expect(await app.stop()).toBe(0);
    const again = new AppProcess({ PORT: "0", HOST: "127.0.0.1", GHE_HOST: `127.0.0.1:${githubPort}`, GHE_PROTOCOL: "http" }, { cwd });
    try {
      await again.start();
      expect(again.logs.find((l) => /is serving/.test(l.msg))?.appId).toBe(4242);
    } finally {
      await again.stop();
    }
  });
});
