import { spawnSync } from "node:child_process";
import { createHmac, createPublicKey } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appKeyPair, examplePayload } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { AppProcess } from "./server-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { privateKey, publicKey } = appKeyPair();
const escapedKey = privateKey.replace(/\n/g, "\\n");

const directories: string[] = [];
/** A working directory for one start, holding `.env` when given. */
function workdir(envFile?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-config-"));
  directories.push(dir);
  if (envFile !== undefined) writeFileSync(join(dir, ".env"), envFile);
  return dir;
}

/** Runs a start command to its end (10 s at most: a server that starts does not end by itself). */
function run(args: string[], env: Record<string, string>, cwd: string) {
  if (!existsSync(`${root}/dist/server.js`)) throw new Error("run `npm run build` first (npm test does)");
  return spawnSync(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: "/tmp", PORT: "0", HOST: "127.0.0.1", ...env },
    encoding: "utf8",
    timeout: 10_000,
  });
}
const npmStart = (env: Record<string, string>, cwd: string) => run([`${root}/dist/server.js`], env, cwd);
const probotRun = (env: Record<string, string>, cwd: string) =>
  run([`${root}/node_modules/probot/bin/probot.js`, "run", `${root}/dist/app/index.js`], env, cwd);

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe("starting the server", () => {
  it("refuses to start with credentials in the environment but no webhook secret", () => {
    const result = npmStart({ APP_ID: "123", PRIVATE_KEY: privateKey }, workdir());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("WEBHOOK_SECRET is not set");
  });

  it("refuses to start with credentials in .env but no webhook secret, instead of accepting Probot's default secret", () => {
    const result = npmStart({}, workdir(`APP_ID=123\nPRIVATE_KEY="${escapedKey}"\n`));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("WEBHOOK_SECRET is not set");
    expect(result.stdout).not.toContain("serving");
  });

  it("refuses Probot's public default secret, set in the environment or in .env", () => {
    const fromEnv = npmStart({ APP_ID: "123", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "development" }, workdir());
    expect(fromEnv.status).toBe(1);
    expect(fromEnv.stderr).toContain('WEBHOOK_SECRET is "development"');
    const fromFile = npmStart({}, workdir(`APP_ID=123\nPRIVATE_KEY="${escapedKey}"\nWEBHOOK_SECRET=development\n`));
    expect(fromFile.status).toBe(1);
    expect(fromFile.stderr).toContain('WEBHOOK_SECRET is "development"');
  });

  it("refuses to start under `probot run` with credentials in .env and no secret", () => {
    const result = probotRun({}, workdir(`APP_ID=123\nPRIVATE_KEY="${escapedKey}"\n`));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the webhook secret in use is Probot's public default");
    expect(result.stdout).not.toContain("Listening on");
  });

  it("refuses to start under `probot run` with WEBHOOK_SECRET=development in the environment", () => {
    const result = probotRun({ APP_ID: "123", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "development" }, workdir());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the webhook secret in use is Probot's public default");
  });

  it("stops on a key that is not a key, from .env and without NODE_ENV, instead of entering registration", () => {
    const result = npmStart({}, workdir(`APP_ID=123\nPRIVATE_KEY=not-a-key\nWEBHOOK_SECRET=s3cret-value\n`));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("PRIVATE_KEY does not hold a PEM private key");
    expect(result.stdout).not.toContain("register");
  });

  it("refuses to start in production without credentials instead of entering registration", () => {
    const result = npmStart({ NODE_ENV: "production" }, workdir());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set in production");
  });

  it("refuses partial credentials instead of entering registration", () => {
    const result = npmStart({ NODE_ENV: "production", WEBHOOK_SECRET: "s3cret-value" }, workdir());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID is not set");
  });
});

describe("a webhook whose signature does not verify", () => {
  const github = new FakeGitHub(createPublicKey(publicKey));
  let app: AppProcess;

  beforeAll(async () => {
    const githubPort = await github.start();
    // Credentials from .env, as registration writes them; the secret is a real one.
    const cwd = workdir(`APP_ID=123\nPRIVATE_KEY="${escapedKey}"\nWEBHOOK_SECRET=the-real-secret\n`);
    app = new AppProcess(
      { PORT: "0", HOST: "127.0.0.1", GHE_HOST: `127.0.0.1:${githubPort}`, GHE_PROTOCOL: "http", LOG_LEVEL: "info" },
      { cwd },
    );
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await github.stop();
  });

  afterEach(() => {
    app.logs.length = 0;
  });

  it("is rejected with one short log line that holds neither the payload nor advice to redeliver it", async () => {
    const payload = examplePayload("pull_request", "opened");
    payload.pull_request.title = "MARKER-7d1f the payload must not reach the log";
    const response = await app.sendWebhook("pull_request", payload, "development", "forged-delivery-1");
    await new Promise((r) => setTimeout(r, 300));

    const lines = app.logs.filter((l) => JSON.stringify(l).includes("forged-delivery-1"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, deliveryId: "forged-delivery-1", event: "pull_request" });
    const text = JSON.stringify(app.logs);
    expect(text).not.toContain("MARKER-7d1f");
    expect(text).not.toMatch(/redeliver/i);
    expect(JSON.stringify(lines[0]).length).toBeLessThan(400);
    expect(github.requests).toEqual([]);
    expect(response.status).toBe(401);
  });

  it("is rejected the same way when signed with a wrong secret, and the real secret is accepted", async () => {
    const wrong = await app.sendWebhook("ping", { zen: "x", hook_id: 1 }, "not-the-secret", "forged-delivery-2");
    expect(wrong.status).toBe(401);
    const right = await app.sendWebhook("ping", { zen: "x", hook_id: 1 }, "the-real-secret", "real-delivery-1");
    expect(right.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(app.logs.filter((l) => l.deliveryId === "forged-delivery-2")).toHaveLength(1);
  });

  it("is signed over the exact bytes: a payload changed after signing is rejected", async () => {
    const body = JSON.stringify({ zen: "x", hook_id: 1 });
    const signature = `sha256=${createHmac("sha256", "the-real-secret").update(body).digest("hex")}`;
    const response = await fetch(`http://127.0.0.1:${app.port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "tampered-1", "x-hub-signature-256": signature },
      body: body.replace('"x"', '"y"'),
    });
    expect(response.status).toBe(401);
  });
});
