import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExpiryWatch, type RepositoryWalk } from "../../src/app/expiry-watch.js";
import { GrantExpiryTimers } from "../../src/app/grant-expiry-timers.js";
import { GrantSweep } from "../../src/app/grant-sweep.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { RedisSweepLock } from "../../src/app/sweep-lock.js";
import { PrivateRedis, redisServerInstalled } from "../support/redis.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

function recorder() {
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  const line = (level: string) => (fields: object, msg: string) => void lines.push({ level, ...fields, msg });
  return { lines, log: { info: line("info"), warn: line("warn"), error: line("error"), debug: line("debug") } };
}

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const until = async (what: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};

// `.ci/run` installs redis-server; the tests run whenever it is installed, and say so when it is not.
describe.skipIf(!redisServerInstalled())("the sweep lock in Redis: one instance sweeps at a time", () => {
  const redis = new PrivateRedis();
  const locks: RedisSweepLock[] = [];
  const children: ChildProcess[] = [];
  const lockFor = (ttlMs: number, log = recorder().log) => {
    const lock = RedisSweepLock.connect(redis.url, { log, ttlMs });
    locks.push(lock);
    return lock;
  };

  beforeAll(async () => {
    await redis.start();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(locks.map((l) => l.close()));
    await redis.stop();
  });

  it("of two sweepers that start together, one sweeps and the other skips", async () => {
    const [a, b] = [lockFor(10_000), lockFor(10_000)];
    const release = gate();
    const swept: string[] = [];
    const sweep = (who: string) => async () => {
      swept.push(who);
      await release.opened;
    };
    const both = Promise.all([a.run("together", sweep("a")), b.run("together", sweep("b"))]);
    await until(() => swept.length === 1);
    release.open();
    const outcomes = await both;
    expect(outcomes.sort()).toEqual(["held elsewhere", "ran"]);
    expect(swept).toHaveLength(1);
    // Released at the end: the next sweep, by either, runs.
    expect(await b.run("together", async () => undefined)).toBe("ran");
    expect(redis.cli("exists", "agent-policy:sweep:together")).toEqual(["0"]);
  });

  it("keeps the lock while a sweep runs longer than its time to live, by renewing it", async () => {
    const [a, b] = [lockFor(600), lockFor(600)];
    const release = gate();
    const running = a.run("long", () => release.opened);
    await until(() => redis.cli("exists", "agent-policy:sweep:long")[0] === "1");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await b.run("long", async () => undefined)).toBe("held elsewhere");
    release.open();
    expect(await running).toBe("ran");
  });

  it("when the holder dies, its lock expires and another instance sweeps", async () => {
    const child = spawn(process.execPath, [`${root}test/support/sweep-lock-holder.mjs`, redis.url, "dies", "1500"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
    await until(() => output.includes("held"), 15_000);
    const other = lockFor(1_500);
    expect(await other.run("dies", async () => undefined)).toBe("held elsewhere");

    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    const died = Date.now();
    let swept = false;
    await until(() => false === (redis.cli("exists", "agent-policy:sweep:dies")[0] === "1"), 5_000);
    expect(await other.run("dies", async () => void (swept = true))).toBe("ran");
    expect(swept).toBe(true);
    // It expired on its own, within its time to live of the last renewal.
    expect(Date.now() - died).toBeLessThan(3_500);
  });

  it("a holder whose lease ran out stops its sweep and never releases the next holder's lock", async () => {
    const first = recorder();
    const a = lockFor(300, first.log);
    const b = lockFor(10_000);
    const release = gate();
    let second: Promise<string> | undefined;
    let stopped = false;
    const outcome = await a.run("lost", async (signal) => {
      // As if the holder stalled past its lease: the key is gone, and another instance takes it.
      redis.cli("del", "agent-policy:sweep:lost");
      second = b.run("lost", () => release.opened);
      await until(() => redis.cli("exists", "agent-policy:sweep:lost")[0] === "1");
      await until(() => signal.aborted);
      stopped = true;
    });
    expect(outcome).toBe("ran");
    expect(stopped).toBe(true);
    expect(first.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: "the sweep lock was lost (it expired, or another instance holds it); stopping this sweep" }));
    // The first holder's release left the second holder's lock alone.
    expect(redis.cli("exists", "agent-policy:sweep:lost")).toEqual(["1"]);
    release.open();
    expect(await second).toBe("ran");
    expect(redis.cli("exists", "agent-policy:sweep:lost")).toEqual(["0"]);
  });

  it("with Redis out of reach, sweeps anyway and says so", async () => {
    const { lines, log } = recorder();
    const gone = RedisSweepLock.connect("redis://127.0.0.1:1", { log, ttlMs: 1_000 });
    let swept = false;
    expect(await gone.run("unreachable", async () => void (swept = true))).toBe("ran");
    expect(swept).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: "error", msg: "could not reach Redis for the sweep lock; sweeping without it" }));
    await gone.close();
  });

  it("an instance restarted after dying mid-sweep finds its own stale lease, and its grant sweep tries again once the lease ran out", async () => {
    // The lease the dead process left: another token, about a second and a half to live.
    redis.cli("set", "agent-policy:sweep:grant-expiry", "dead-holder", "PX", "1500");
    const armed: { task: () => Promise<unknown>; ms: number }[] = [];
    const timers = { set: (task: () => unknown, ms: number) => armed.push({ task: task as () => Promise<unknown>, ms }), clear: () => undefined };
    const { lines, log } = recorder();
    const sweep = new GrantSweep({ clock: () => new Date(), log: { ...log, child: () => log } as never, lock: lockFor(10_000), timers });
    const store = new FileAuditStore(join(mkdtempSync(join(tmpdir(), "agent-policy-sweep-lock-")), "audit.jsonl"));
    sweep.start(store, async () => undefined, { grantTimers: new GrantExpiryTimers(() => ({ cancel: () => undefined })) } as never);
    expect(armed.map((t) => t.ms)).toEqual([5_000]);

    await armed[0]!.task();
    expect(lines.map((l) => l.msg)).toEqual(["another instance is sweeping for grants' ends; skipping this sweep"]);
    expect(armed.map((t) => t.ms)).toEqual([5_000, 150_000]);

    await until(() => redis.cli("exists", "agent-policy:sweep:grant-expiry")[0] === "0");
    await armed[1]!.task();
    expect(lines.map((l) => l.msg)).toContain("grant sweep done");
    expect(armed.map((t) => t.ms)).toEqual([5_000, 150_000, 3_600_000]);
    sweep.stop();
  });

  it("two instances' expiry sweeps at once: one walks the installations, the other skips", async () => {
    const walks: string[] = [];
    const release = gate();
    const walk =
      (who: string): RepositoryWalk =>
      async () => {
        walks.push(who);
        await release.opened;
      };
    const logs = [recorder(), recorder()];
    const watches = ["a", "b"].map((_, i) => new ExpiryWatch({ clock: () => new Date(), log: logs[i]!.log as never, lock: lockFor(10_000), timers: { set: () => 0, clear: () => undefined } }));
    watches[0]!.start(walk("a"), async () => undefined);
    watches[1]!.start(walk("b"), async () => undefined);
    const sweeps = Promise.all(watches.map((w) => w.sweep()));
    await until(() => walks.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    release.open();
    await sweeps;
    expect(walks).toHaveLength(1);
    const skipped = logs.flatMap((l) => l.lines).filter((l) => l.msg === "another instance is sweeping for expiries; skipping this sweep");
    expect(skipped).toHaveLength(1);
    expect(logs.flatMap((l) => l.lines).filter((l) => l.msg === "expiry sweep done")).toHaveLength(1);
    watches.forEach((w) => w.stop());
  });
});
