import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when Debian's `redis-server` is installed (`.ci/run` installs it; nothing starts it). */
export function redisServerInstalled(): boolean {
  return spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).status === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A private `redis-server` for one test file: loopback only, a free port, its
 * files in a temporary directory, no persistence; `stop` ends it and removes
 * the directory.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 15_000): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), "agent-policy-redis-"));
    this.port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output}`);
      const ping = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), "ping"], { encoding: "utf8" });
      if (ping.stdout.trim() === "PONG") return this.url;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server did not answer in ${timeoutMs} ms: ${output}`);
  }

  /** Runs one redis-cli command against this instance and returns its output lines. */
  cli(...args: string[]): string[] {
    const result = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), ...args], { encoding: "utf8" });
    return result.stdout.split("\n").filter(Boolean);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
