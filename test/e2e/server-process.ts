import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** One JSON log line of the app process. */
export type LogLine = Record<string, any>;

/**
 * The app's real HTTP server, started as the README does (`npm start` runs
 * `node dist/server.js`), configured through environment variables only.
 */
export class AppProcess {
  readonly logs: LogLine[] = [];
  /** The delivery id of every webhook posted, in order (a redelivery appears twice). */
  readonly sent: string[] = [];
  readonly stderr: string[] = [];
  port = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly env: Record<string, string>) {}

  async start(timeoutMs = 20_000): Promise<void> {
    if (!existsSync(`${root}/dist/server.js`)) {
      execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", `${root}/tsconfig.build.json`], { cwd: root });
    }
    // Probot reads PORT=0 as "unset" and listens on 3000, which parallel test files would share: pick a free port instead.
    const env = this.env.PORT === "0" ? { ...this.env, PORT: String(await freePort()) } : this.env;
    const child = spawn(process.execPath, ["dist/server.js"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          this.stderr.push(line);
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const listening = this.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("Listening on http://"));
      if (listening) {
        this.port = Number(/:(\d+)$/.exec(listening.msg)![1]);
        return;
      }
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}: ${this.stderr.join("")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`app did not start in ${timeoutMs} ms: ${this.stderr.join("")}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }

  /** POSTs a webhook the way GitHub does, signed with `secret`; a string payload is sent as it is. */
  async sendWebhook(event: string, payload: unknown, secret: string, deliveryId: string): Promise<Response> {
    const body = typeof payload === "string" ? payload : JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    this.sent.push(deliveryId);
    return fetch(`http://127.0.0.1:${this.port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": deliveryId,
        "x-hub-signature-256": signature,
        "user-agent": "GitHub-Hookshot/test",
      },
      body,
    });
  }
}

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
