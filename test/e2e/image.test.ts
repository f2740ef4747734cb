import { execFileSync, execSync, spawn } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appKeyPair } from "../fixtures/github.js";
import { copyOf, dockerfileStages, envOf, type Stage } from "../deploy/dockerfile.js";
import { FakeGitHub } from "./fake-github.js";
import { fullName, humanPull, pullOpened, type InstalledRepo } from "./pull-events.js";
import { AppProcess, pollUntil } from "./server-process.js";

/*
 * The image, assembled without a container engine: the Dockerfile's own
 * dependency-stage commands run in a scratch directory, the runtime stage's
 * files are copied where it copies them, and the app starts with the image's
 * environment and command. A runtime import of a development dependency, a
 * file the image forgets, or a start command that does not serve fails here.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "image-webhook-secret";
const REPO: InstalledRepo = { owner: "Codertocat", name: "Hello-World", installationId: 1 };
const stages = dockerfileStages(readFileSync(join(root, "Dockerfile"), "utf8"));
const runtime = stages.at(-1)!;
const jsonArgs = (stage: Stage, keyword: string): string[] => JSON.parse(stage.instructions.find((i) => i.keyword === keyword)!.args.replace(/^.*?(\[)/, "$1"));
const workdir = (stage: Stage) => stage.instructions.filter((i) => i.keyword === "WORKDIR").at(-1)!.args;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe("the container image, assembled from the Dockerfile's stages", () => {
  const scratch = mkdtempSync(join(tmpdir(), "agent-policy-image-"));
  const dirOf = (stageName: string) => join(scratch, stageName);
  const image = join(scratch, "runtime");
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  let app: AppProcess;
  let port = 0;

  /** Runs a stage's COPY and RUN instructions in its own directory, the stage's WORKDIR mapped to it. */
  function assemble(stage: Stage, into: string): void {
    mkdirSync(into, { recursive: true });
    const home = workdir(stage);
    for (const instruction of stage.instructions) {
      if (instruction.keyword === "COPY") {
        const { from, sources, destination } = copyOf(instruction);
        const base = from === undefined ? root : from === "build" ? root : dirOf(from);
        for (const source of sources) {
          const inStage = from === undefined ? source : source.replace(new RegExp(`^${home}/?`), "");
          const target = destination.endsWith("/") || sources.length > 1 ? join(into, destination.replace(new RegExp(`^${home}/?`), ""), inStage.split("/").at(-1)!) : join(into, destination.replace(new RegExp(`^${home}/?`), ""));
          cpSync(join(base, inStage), target, { recursive: true });
        }
      } else if (instruction.keyword === "RUN") {
        // Ownership is the image's business (the runtime user is checked in test/deploy); the rest runs as written.
        const command = instruction.args.replace(/\s*&&\s*chown\s+\S+\s+\S+/g, "").replaceAll(home, into);
        execSync(command, { cwd: into, stdio: "pipe", env: { ...process.env, npm_config_cache: join(scratch, "npm-cache"), npm_config_update_notifier: "false" } });
      }
    }
  }

  beforeAll(async () => {
    if (!existsSync(join(root, "dist/server.js"))) execFileSync("npm", ["run", "build"], { cwd: root, stdio: "pipe" });
    for (const stage of stages.slice(1, -1)) assemble(stage, dirOf(stage.name!));
    assemble(runtime, image);
    port = await freePort();
    const githubPort = await github.start();
    app = new AppProcess(
      {
        ...envOf(runtime),
        HOST: "127.0.0.1",
        PORT: String(port),
        APP_ID: "123",
        PRIVATE_KEY: keys.privateKey,
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: `127.0.0.1:${githubPort}`,
        GHE_PROTOCOL: "http",
      },
      { viaNpm: true, appRoot: image, cwd: image },
    );
    await app.start(60_000);
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    await github.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("builds its dependencies from the stages that are not the last, and the runtime stage needs nothing else", () => {
    expect(stages.slice(1, -1).map((s) => s.name)).toContain("deps");
    expect(jsonArgs(runtime, "CMD")).toEqual(["npm", "start", "--silent"]);
  });

  it("holds production dependencies only, without type declarations or source maps", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    for (const dependency of Object.keys(pkg.dependencies)) expect(existsSync(join(image, "node_modules", dependency, "package.json")), dependency).toBe(true);
    for (const dependency of Object.keys(pkg.devDependencies)) expect(existsSync(join(image, "node_modules", dependency)), dependency).toBe(false);
    const leftovers = execSync("find node_modules -type f \\( -name '*.d.ts' -o -name '*.map' \\) | head -5", { cwd: image, encoding: "utf8" });
    expect(leftovers).toBe("");
  });

  it("serves with the image's command and environment, passes its HEALTHCHECK, and judges a pull request into /app/data", { timeout: 60_000 }, async () => {
    expect(app.port).toBe(port);
    const healthcheck = jsonArgs(runtime, "HEALTHCHECK");
    const retries = Number(/--retries=(\d+)/.exec(runtime.instructions.find((i) => i.keyword === "HEALTHCHECK")!.args)![1]);
    // As the engine does: healthy after one pass within the retries. A failed report is reused for 5 s,
    // so a retry waits that long (a cold first probe on a loaded machine can take longer than its limit).
    let status: number | null = null;
    for (let attempt = 0; attempt < retries && status !== 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 5200));
      // Not spawnSync: the fake GitHub the probe asks lives in this process and must keep answering.
      const child = spawn(healthcheck[0]!, healthcheck.slice(1), { cwd: image, env: { PATH: process.env.PATH ?? "", PORT: String(port) }, timeout: 10_000 });
      status = await new Promise<number | null>((r) => child.once("exit", r));
    }
    expect(status, await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe(0);

    const sha = "c".repeat(40);
    humanPull(github, REPO, 21, sha);
    expect((await app.sendWebhook("pull_request", pullOpened(REPO, 21, sha), SECRET, "image-1")).status).toBe(200);
    await pollUntil(() => github.requests.find((r) => r.method === "POST" && r.path === `/repos/${fullName(REPO)}/check-runs`), 15_000);
    expect(github.requests.filter((r) => r.method === "POST" && r.path === `/repos/${fullName(REPO)}/check-runs`)).toHaveLength(1);
    const audit = join(image, "data", "audit.jsonl");
    await pollUntil(() => (existsSync(audit) ? audit : undefined), 15_000);
    expect(readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ deliveryId: "image-1" }));
  });

  it("stops on SIGTERM with exit code 0", async () => {
    expect(await app.stop(15_000)).toBe(0);
  });
});
