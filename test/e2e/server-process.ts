import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Polls `probe` until it returns a value (the app logs and answers
 * asynchronously to the test), failing after `timeoutMs`.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the app");
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** One JSON log line of the app process. */
export type LogLine = Record<string, any>;

/** The line the server logs once it serves webhooks; it names the port. */
const SERVING = /^agent-policy is serving: webhooks at http:\/\/\S+:(\d+)\//;

export interface AppProcessOptions {
  /** The working directory (where `.env` is read); the repository root by default. */
  cwd?: string;
  /** `npm start` runs the app as the container image does, through npm; `node dist/server.js` by default. */
  viaNpm?: boolean;
  /** Where the app's files are (`dist/`, `node_modules/`, `package.json`); the repository by default. */
  appRoot?: string;
}

/**
 * The app's real HTTP server, started as the README does (`npm start` runs
 * `node dist/server.js`), configured through environment variables (and a
 * `.env` file in `cwd`, if there is one).
 */
export class AppProcess {
  readonly logs: LogLine[] = [];
  /** The delivery id of every webhook posted, in order (a redelivery appears twice). */
  readonly sent: string[] = [];
  readonly stderr: string[] = [];
  port = 0;
  private child: ChildProcess | undefined;

  constructor(
    private readonly env: Record<string, string>,
    private readonly options: AppProcessOptions = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  async start(timeoutMs = 20_000): Promise<void> {
    this.launch();
    await this.waitForServing(timeoutMs);
  }

  /** Starts the process without waiting for it to serve (registration mode, or a start that must fail). */
  launch(): void {
    if (!existsSync(`${root}/dist/server.js`)) {
      execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", `${root}/tsconfig.build.json`], { cwd: root });
    }
    const appRoot = this.options.appRoot ?? root;
    const [command, args] = this.options.viaNpm
      ? ["npm", ["start", "--silent", "--prefix", appRoot]]
      : [process.execPath, [`${appRoot}/dist/server.js`]];
    const child = spawn(command, args, {
      cwd: this.options.cwd ?? root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...this.env },
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
  }

  /** Polls the JSON log lines until one satisfies `match`. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.logs.find(match);
      if (found) return found;
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`app exited with ${this.child.exitCode}: ${this.stderr.join("")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no matching log line in ${timeoutMs} ms: ${this.stderr.join("")}`);
  }

  /** Waits for the "serving" line (again, after a registration), and takes the port from it. */
  async waitForServing(timeoutMs = 20_000): Promise<void> {
    const child = this.child!;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const serving = this.logs.find((l) => typeof l.msg === "string" && SERVING.test(l.msg));
      if (serving) {
        this.port = Number(SERVING.exec(serving.msg)![1]);
        return;
      }
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}: ${this.stderr.join("")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`app did not start in ${timeoutMs} ms: ${this.stderr.join("")}`);
  }

  /** Sends SIGTERM and resolves with the exit code (null when it had to be killed after `graceMs`). */
  async stop(graceMs = 3000): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await exited;
      return null;
    }
    return child.exitCode;
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
