import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appKeyPair, commitEntry, fileEntry, pullResponse } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { fullName, humanPull, pullOpened, type InstalledRepo } from "./pull-events.js";
import { AppProcess, pollUntil } from "./server-process.js";

const SECRET = "operations-webhook-secret";
const root = new URL("../..", import.meta.url).pathname;

/** The image's HEALTHCHECK command against the server on `port`: its exit status. */
function containerHealthcheck(port: number): number | null {
  return spawnSync(process.execPath, [`${root}dist/healthcheck.js`], { env: { PORT: String(port) }, timeout: 10_000 }).status;
}
const REPO: InstalledRepo = { owner: "Codertocat", name: "Hello-World", installationId: 1 };
const DEVIN = { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" };

/** One sample of the Prometheus text format: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const until = <T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000) => pollUntil(probe, timeoutMs, 50);

describe("operating the server: /metrics and /healthz", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-ops-"));
  let app: AppProcess;
  const get = (path: string) => fetch(`http://127.0.0.1:${app.port}${path}`);
  const metrics = async () => (await get("/metrics")).text();

  beforeAll(async () => {
    const githubPort = await github.start();
    github.setFile(fullName(REPO), "master", ".agent-policy.yml", 'version: 1\nmode: enforce\nagents:\n  devin:\n    owner: "@octo-lead"\n    match: { ids: [158243242] }\n    paths: { allow: ["docs/**"] }\n');
    app = new AppProcess({
      APP_ID: "123",
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      AUDIT_FILE: join(dir, "audit.jsonl"),
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await github.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts webhooks by event and outcome, decisions by verdict and rule, check runs, and GitHub calls by route and status", async () => {
    const sha = "b".repeat(40);
    github.setPull(fullName(REPO), 11, {
      pull: pullResponse({ number: 11, headSha: sha, headRef: "devin/cleanup", user: DEVIN, changedFiles: 2, commits: 1 }),
      files: [fileEntry("docs/readme.md"), fileEntry(".env", "added")],
      commits: [commitEntry(sha, "Clean up", { account: DEVIN, name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" })],
    });
    const event = pullOpened(REPO, 11, sha);
    event.pull_request.user = { ...event.pull_request.user, ...DEVIN };
    event.sender = { ...event.sender, ...DEVIN };
    expect((await app.sendWebhook("pull_request", event, SECRET, "metrics-1")).status).toBe(200);
    expect((await app.sendWebhook("pull_request", event, "wrong-secret", "metrics-forged")).status).toBe(401);

    const response = await get("/metrics");
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await until(async () => {
      const t = await metrics();
      return sample(t, "agent_policy_decisions_total", { verdict: "deny", response: "check_run" }) ? t : undefined;
    });
    expect(sample(text, "agent_policy_webhooks_total", { event: "pull_request.opened", outcome: "processed" })).toBe(1);
    expect(sample(text, "agent_policy_webhooks_total", { event: "unverified", outcome: "bad_signature" })).toBe(1);
    expect(sample(text, "agent_policy_rule_decisions_total", { rule: "secret-file", verdict: "deny" })).toBe(1);
    expect(sample(text, "agent_policy_check_runs_posted_total", { conclusion: "failure" })).toBe(1);
    expect(sample(text, "agent_policy_github_requests_total", { method: "POST", route: "/repos/{owner}/{repo}/check-runs", status: "201" })).toBe(1);
    expect(sample(text, "agent_policy_github_requests_total", { method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: "200" })).toBe(1);
    expect(sample(text, "agent_policy_evaluation_duration_seconds_count", { event: "pull_request.opened", outcome: "processed" })).toBe(1);
    expect(sample(text, "agent_policy_deliveries_in_flight")).toBe(0);
    expect(sample(text, "agent_policy_github_requests_pending", { kind: "write" })).toBe(0);
    expect(sample(text, "agent_policy_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts GitHub errors by route and status", async () => {
    const sha = "e".repeat(40);
    humanPull(github, REPO, 14, sha);
    github.fail(`/repos/${fullName(REPO)}/pulls/14/files`, 403);
    expect((await app.sendWebhook("pull_request", pullOpened(REPO, 14, sha), SECRET, "metrics-2")).status).toBe(200);
    const text = await metrics();
    expect(sample(text, "agent_policy_github_request_errors_total", { method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: "403" })).toBe(1);
    expect(sample(text, "agent_policy_decisions_total", { verdict: "error", response: "check_run" })).toBe(1);
  });

  it("is ready when GitHub answers the app and the audit store takes records; /ping stays PONG", async () => {
    const ready = await get("/healthz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { github: { ok: true }, audit_store: { ok: true } } });
    expect(github.requests).toContainEqual(expect.objectContaining({ method: "GET", path: "/app" }));
    expect(await (await get("/ping")).text()).toBe("PONG");
    expect(containerHealthcheck(app.port)).toBe(0);
  });

  it("is not ready while its GitHub host refuses the app, and ready again after; liveness does not change", async () => {
    github.fail("/app", 401);
    await new Promise((r) => setTimeout(r, 5100)); // the last report is reused for 5 s
    const down = await get("/healthz");
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: "not ready", checks: { github: { ok: false, error: expect.stringContaining("401") }, audit_store: { ok: true } } });
    expect((await get("/ping")).status).toBe(200);
    github.recover("/app");
    await until(async () => ((await get("/healthz")).status === 200 ? true : undefined), 12_000);
  }, 30_000);
});

describe("/healthz with an audit store that does not take records", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-ops-store-"));
  let app: AppProcess;

  beforeAll(async () => {
    const githubPort = await github.start();
    // The audit file's directory is a regular file: no record can be appended there.
    writeFileSync(join(dir, "not-a-directory"), "");
    app = new AppProcess({
      APP_ID: "123",
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      AUDIT_FILE: join(dir, "not-a-directory", "audit.jsonl"),
      AUDIT_SPOOL_FILE: join(dir, "spool.jsonl"),
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await github.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says not ready, naming the store, once a record could not be written", async () => {
    humanPull(github, REPO, 21, "2".repeat(40));
    expect((await app.sendWebhook("pull_request", pullOpened(REPO, 21, "2".repeat(40)), SECRET, "store-1")).status).toBe(200);
    const response = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ checks: { github: { ok: true }, audit_store: { ok: false, error: expect.stringContaining("spool") } } });
    expect(containerHealthcheck(app.port)).toBe(1);
  });
});
