import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appKeyPair, COPILOT, HUMAN } from "../fixtures/github.js";
import { PrivateRedis, redisServerInstalled } from "../support/redis.js";
import { FakeGitHub } from "./fake-github.js";
import { fullName, humanPull, pullOpened, type InstalledRepo } from "./pull-events.js";
import { AppProcess } from "./server-process.js";

const SECRET = "redis-webhook-secret";
const ORG: InstalledRepo = { owner: "shared-org", name: "api", installationId: 303 };

// `.ci/run` installs redis-server; the test runs whenever it is installed, and says so when it is not.
describe.skipIf(!redisServerInstalled())("REDIS_URL: two instances share each installation's rate-limit queues through Redis", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  const redis = new PrivateRedis();
  const instances: AppProcess[] = [];

  beforeAll(async () => {
    const [githubPort, redisUrl] = await Promise.all([github.start(), redis.start()]);
    const env = {
      APP_ID: "123",
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      REDIS_URL: redisUrl,
    };
    instances.push(new AppProcess(env), new AppProcess(env));
    await Promise.all(instances.map((i) => i.start()));
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await github.stop();
    await redis.stop();
  });

  it("starts with REDIS_URL set", () => {
    for (const instance of instances) {
      expect(instance.logs.find((l) => /is serving/.test(l.msg))).toMatchObject({ redis: true, throttling: true });
    }
  });

  it("spaces one installation's writes a second apart even when two instances receive its events at once", async () => {
    // Warm both instances up (modules, tokens) on installations of their own, so the two trains of writes overlap.
    const warm = instances.map((instance, i) => {
      const repo = { owner: `warm-org-${i}`, name: "repo", installationId: 900 + i };
      humanPull(github, repo, 1, "a".repeat(40));
      return instance.sendWebhook("pull_request", pullOpened(repo, 1, "a".repeat(40)), SECRET, `warm-${i}`);
    });
    expect((await Promise.all(warm)).map((r) => r.status)).toEqual([200, 200]);

    const numbers = [1, 2, 3, 4, 5, 6];
    for (const n of numbers) humanPull(github, ORG, n, String(n).repeat(40));
    const responses = await Promise.all(
      numbers.map((n) => instances[n % 2]!.sendWebhook("pull_request", pullOpened(ORG, n, String(n).repeat(40)), SECRET, `redis-${n}`)),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const posts = github.timeline.filter((r) => r.method === "POST" && r.path === `/repos/${fullName(ORG)}/check-runs`).map((r) => r.at);
    expect(posts).toHaveLength(6);
    // Each instance alone would space its own three writes (six in about 2 s, two at nearly the same time);
    // only a queue shared through Redis spaces all six, about 5 s from first to last. The times are taken
    // where the writes arrive, so one late arrival on a loaded machine shortens one gap: the span decides.
    const gaps = posts.slice(1).map((at, i) => at - posts[i]!);
    expect(posts.at(-1)! - posts[0]!).toBeGreaterThanOrEqual(4500);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    expect(github.checkRuns.filter((r) => r.repo === fullName(ORG)).map((r) => r.conclusion)).toEqual(Array(6).fill("success"));
  }, 60_000);

  it("reads a commit's record from GitHub on every event: another instance may have posted since", async () => {
    const repo: InstalledRepo = { owner: "shared-org", name: "web", installationId: 303 };
    const sha = "c".repeat(40);
    humanPull(github, repo, 1, sha);
    const edited = (sender: object) => {
      const payload = pullOpened(repo, 1, sha);
      payload.action = "edited";
      payload.sender = { ...payload.sender, ...sender };
      return payload;
    };
    // Instance 0 judges the pull request, instance 1 then puts Copilot (the sender of its event) on the commit's record, and instance 0 judges it again.
    expect((await instances[0]!.sendWebhook("pull_request", edited(HUMAN), SECRET, "record-1")).status).toBe(200);
    expect((await instances[1]!.sendWebhook("pull_request", edited(COPILOT), SECRET, "record-2")).status).toBe(200);
    expect((await instances[0]!.sendWebhook("pull_request", edited(HUMAN), SECRET, "record-3")).status).toBe(200);
    const listings = github.requests.filter((r) => r.method === "GET" && r.path.split("?")[0] === `/repos/${fullName(repo)}/commits/${sha}/check-runs`);
    expect(listings).toHaveLength(3);
    const newest = github.checkRuns.filter((r) => r.repo === fullName(repo) && r.head_sha === sha).at(-1) as { output: { summary: string } };
    expect(newest.output.summary).toContain("on record for this commit as event sender Copilot");
  }, 60_000);

  it("keeps those queues in Redis under the installation's own key", () => {
    const queues = redis.cli("--scan", "--pattern", "b_octokit-write-*");
    expect(queues.some((key) => key.startsWith(`b_octokit-write-installation-${ORG.installationId}_`))).toBe(true);
    expect(queues.some((key) => key.includes("no-id"))).toBe(false);
  });
});
