import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appKeyPair } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { fullName, humanPull, pullOpened, type InstalledRepo } from "./pull-events.js";
import { AppProcess, pollUntil } from "./server-process.js";

const SECRET = "installations-webhook-secret";
const BUSY: InstalledRepo = { owner: "busy-org", name: "monorepo", installationId: 101 };
const QUIET: InstalledRepo = { owner: "quiet-org", name: "service", installationId: 202 };

const until = <T>(probe: () => T | undefined, timeoutMs = 20_000) => pollUntil(probe, timeoutMs, 20);

describe("several installations on one server, GitHub's rate limiting on", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  let app: AppProcess;

  beforeAll(async () => {
    const githubPort = await github.start();
    app = new AppProcess({
      APP_ID: "123",
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await github.stop();
  });

  const checkRunPosts = (repo: InstalledRepo) =>
    github.timeline.filter((r) => r.method === "POST" && r.path === `/repos/${fullName(repo)}/check-runs`).map((r) => r.at);

  it("queues writes per installation: a busy organisation's backlog does not delay another's check", async () => {
    for (const n of [1, 2, 3]) humanPull(github, BUSY, n, String(n).repeat(40));
    humanPull(github, QUIET, 9, "9".repeat(40));

    const busy = [1, 2, 3].map((n) => app.sendWebhook("pull_request", pullOpened(BUSY, n, String(n).repeat(40)), SECRET, `busy-${n}`));
    // The busy installation's writes are queued before the quiet one's delivery arrives.
    await until(() => (checkRunPosts(BUSY).length >= 1 ? true : undefined));
    const quiet = app.sendWebhook("pull_request", pullOpened(QUIET, 9, "9".repeat(40)), SECRET, "quiet-9");
    expect((await Promise.all([...busy, quiet])).map((r) => r.status)).toEqual([200, 200, 200, 200]);

    const busyPosts = await until(() => (checkRunPosts(BUSY).length === 3 ? checkRunPosts(BUSY) : undefined));
    const [quietPost] = checkRunPosts(QUIET);
    // Rate limiting is on: one installation's writes start 1 s apart (arrival here can vary by the
    // server's own scheduling on a busy machine; without the limiter they would be milliseconds apart)...
    expect(busyPosts[1]! - busyPosts[0]!).toBeGreaterThanOrEqual(700);
    expect(busyPosts[2]! - busyPosts[1]!).toBeGreaterThanOrEqual(700);
    // ...and the other installation's write did not wait behind them.
    expect(quietPost!).toBeLessThan(busyPosts[2]! - 500);
    expect(github.checkRuns.filter((r) => r.repo === fullName(QUIET))).toEqual([expect.objectContaining({ conclusion: "success" })]);
  });
});
