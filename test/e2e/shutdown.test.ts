import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appKeyPair } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { fullName, humanPull, pullOpened, type InstalledRepo } from "./pull-events.js";
import { AppProcess, pollUntil } from "./server-process.js";

const SECRET = "shutdown-webhook-secret";
const REPO: InstalledRepo = { owner: "Codertocat", name: "Hello-World", installationId: 1 };

const until = <T>(probe: () => T | undefined, timeoutMs = 15_000) => pollUntil(probe, timeoutMs, 20);

describe("SIGTERM, as `docker stop` sends it to `npm start`", () => {
  const keys = appKeyPair();
  const dirs: string[] = [];
  const githubs: FakeGitHub[] = [];

  async function startApp(extra: Record<string, string> = {}) {
    const github = new FakeGitHub(createPublicKey(keys.publicKey));
    githubs.push(github);
    const githubPort = await github.start();
    const dir = mkdtempSync(join(tmpdir(), "agent-policy-shutdown-"));
    dirs.push(dir);
    const app = new AppProcess(
      {
        APP_ID: "123",
        PRIVATE_KEY: keys.privateKey,
        WEBHOOK_SECRET: SECRET,
        PORT: "0",
        HOST: "127.0.0.1",
        GHE_HOST: `127.0.0.1:${githubPort}`,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "info",
        AUDIT_FILE: join(dir, "audit.jsonl"),
        ...extra,
      },
      { viaNpm: true },
    );
    await app.start();
    return { app, github, dir };
  }

  afterAll(async () => {
    await Promise.all(githubs.map((g) => g.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("stops taking webhooks, lets the delivery in flight post its check and write its record, and exits 0", async () => {
    const { app, github, dir } = await startApp();
    const sha = "3".repeat(40);
    humanPull(github, REPO, 31, sha);
    github.delay(`/repos/${fullName(REPO)}/pulls/31/files`, 1500);

    const inFlight = app.sendWebhook("pull_request", pullOpened(REPO, 31, sha), SECRET, "in-flight-31");
    await until(() => github.requests.find((r) => r.path.startsWith(`/repos/${fullName(REPO)}/pulls/31/files`)));
    const stopped = app.stop(15_000);
    await until(() => app.logs.find((l) => l.msg === "SIGTERM received"));

    const late = await app.sendWebhook("pull_request", pullOpened(REPO, 32, "4".repeat(40)), SECRET, "late-32").then(
      (r) => r.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);

    expect((await inFlight).status).toBe(200);
    expect(await stopped).toBe(0);
    expect(github.checkRuns).toEqual([expect.objectContaining({ head_sha: sha, conclusion: "success" })]);
    const record = app.logs.find((l) => l.audit?.deliveryId === "in-flight-31");
    expect(record?.audit).toMatchObject({ pullRequest: 31, response: "check_run", conclusion: "success" });
    const stored = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(stored).toEqual([expect.objectContaining({ deliveryId: "in-flight-31", pullRequest: 31 })]);
    expect(app.logs.some((l) => l.msg === "stopped: every delivery in flight was finished")).toBe(true);
    expect(github.requests.some((r) => r.path.includes("/pulls/32"))).toBe(false);
  }, 40_000);

  it("exits within SHUTDOWN_TIMEOUT_MS when a delivery does not finish, naming it (exit status 1)", async () => {
    const { app, github } = await startApp({ SHUTDOWN_TIMEOUT_MS: "500" });
    const sha = "5".repeat(40);
    humanPull(github, REPO, 33, sha);
    github.delay(`/repos/${fullName(REPO)}/pulls/33/files`, 20_000);
    void app.sendWebhook("pull_request", pullOpened(REPO, 33, sha), SECRET, "stuck-33").catch(() => undefined);
    await until(() => github.requests.find((r) => r.path.startsWith(`/repos/${fullName(REPO)}/pulls/33/files`)));

    const started = Date.now();
    expect(await app.stop(10_000)).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(app.logs.find((l) => Array.isArray(l.unfinished))).toMatchObject({ unfinished: ["stuck-33"] });
  }, 40_000);
});
