import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { dockerfileStages } from "./dockerfile.js";
import { PROBE_TIMEOUT_MS } from "../../src/server/readiness.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");
const pkg = JSON.parse(read("package.json"));

const stages = dockerfileStages(read("Dockerfile"));
const runtime = stages.at(-1)!;
const runtimeOf = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe("the Dockerfile", () => {
  it("builds in stages on the Node line package.json supports, and the runtime stage has no compiler", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) expect(stage.from).toMatch(/^node:20\.\d+-bookworm-slim$/);
    expect(pkg.engines.node).toBe(">=20.18.1");
    const build = stages.find((s) => s.name === "build")!;
    expect(build.instructions.some((i) => i.keyword === "RUN" && i.args.includes("npm run build"))).toBe(true);
    expect(runtime.instructions.some((i) => i.keyword === "RUN" && /npm (ci|install)|tsc/.test(i.args))).toBe(false);
  });

  it("installs production dependencies only, from the lock file, into the runtime image", () => {
    const deps = stages.find((s) => s.name === "deps")!;
    expect(deps.instructions).toContainEqual(expect.objectContaining({ keyword: "RUN", args: expect.stringContaining("npm ci --omit=dev") }));
    const copies = runtimeOf("COPY").map((i) => i.args);
    expect(copies).toContainEqual(expect.stringMatching(/^--from=deps .*\/app\/node_modules \.\/node_modules$/));
    expect(copies.some((c) => c.startsWith("--from=build") && c.includes("node_modules"))).toBe(false);
  });

  it("runs as a user that is not root", () => {
    const users = runtimeOf("USER").map((i) => i.args);
    expect(users.at(-1)).toBe("node");
  });

  it("has a HEALTHCHECK that runs a script the build produces", () => {
    const [healthcheck] = runtimeOf("HEALTHCHECK");
    expect(healthcheck?.args).toMatch(/CMD \["node", "dist\/healthcheck\.js"\]$/);
    expect(existsSync(join(root, "src/healthcheck.ts"))).toBe(true);
  });

  it("starts with package.json's start script, the README's `npm start`, which execs the server so SIGTERM reaches it", () => {
    const [cmd] = runtimeOf("CMD");
    expect(JSON.parse(cmd!.args).slice(0, 2)).toEqual(["npm", "start"]);
    expect(pkg.scripts.start).toBe("exec node dist/server.js");
    expect(existsSync(join(root, "src/server.ts"))).toBe(true);
    expect(read("README.md")).toMatch(/npm ci && npm run build && npm start/);
  });

  it("copies only files that exist, and never the credentials", () => {
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))) {
        const sources = copy.args.replace(/--\S+/g, "").trim().split(/\s+/).slice(0, -1);
        for (const source of sources) expect(existsSync(join(root, source)), source).toBe(true);
      }
    }
    const ignored = read(".dockerignore").split("\n");
    expect(ignored).toEqual(expect.arrayContaining([".env", "*.pem", "node_modules", "dist"]));
  });
});

describe("the health check's time limits", () => {
  it("nest: the server's probes answer before the HEALTHCHECK script gives up, and the script before the image kills it", () => {
    const script = Number(/AbortSignal\.timeout\((\d+)\)/.exec(read("src/healthcheck.ts"))![1]);
    const healthcheck = runtimeOf("HEALTHCHECK")[0]!.args;
    const image = Number(/--timeout=(\d+)s/.exec(healthcheck)![1]) * 1000;
    expect(PROBE_TIMEOUT_MS).toBeLessThan(script);
    expect(script).toBeLessThan(image);
  });
});

describe("compose.yaml", () => {
  const compose = parse(read("compose.yaml")) as { services: Record<string, any> };

  it("runs the app built from the Dockerfile with PostgreSQL and Redis, waiting until both are healthy", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "postgres", "redis"]);
    const app = compose.services.app;
    expect(app.build).toBe(".");
    expect(app.environment.DATABASE_URL).toMatch(/^postgres:\/\/agent_policy:.*@postgres:5432\/agent_policy$/);
    expect(app.environment.REDIS_URL).toBe("redis://redis:6379");
    expect(app.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    expect(compose.services.postgres.healthcheck.test.join(" ")).toContain("pg_isready");
    expect(compose.services.redis.healthcheck.test).toEqual(["CMD", "redis-cli", "ping"]);
  });

  it("gives the app longer to stop than its own shutdown timeout", () => {
    const grace = Number(/^(\d+)s$/.exec(compose.services.app.stop_grace_period)![1]) * 1000;
    expect(grace).toBeGreaterThan(25_000);
  });
});

/** Every `env.NAME` / `process.env.NAME` the app's source reads (the command-line tools' own conventions, such as NO_COLOR, aside). */
function variablesRead(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (path === join(root, "src/cli")) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) for (const m of readFileSync(path, "utf8").matchAll(/(?:process\.env|(?<![\w\].])env)\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
    }
  };
  walk(join(root, "src"));
  return [...names].sort();
}

describe(".env.example", () => {
  const example = read(".env.example");
  const listed = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));

  it("lists every variable the app reads, each commented out so a copy changes nothing", () => {
    const read = variablesRead();
    expect(read.length).toBeGreaterThan(10);
    for (const name of read) expect(listed.has(name), `${name} in .env.example`).toBe(true);
    expect(example.split("\n").filter((l) => /^[A-Z]/.test(l))).toEqual([]);
  });

  it("gives the defaults the code uses", () => {
    expect(example).toContain("# PORT=3000");
    expect(example).toContain("# HOST=localhost");
    expect(example).toContain("# LOG_LEVEL=info");
    expect(example).toContain("# SHUTDOWN_TIMEOUT_MS=25000");
    expect(example).toContain("# GHE_PROTOCOL=https");
  });

  it("and each is documented in the README", () => {
    const readme = read("README.md");
    for (const name of listed) expect(readme.includes(`\`${name}\``), `${name} in README.md`).toBe(true);
  });

  it("is tracked, while .env itself is ignored", () => {
    expect(read(".gitignore").split("\n")).toContain(".env");
    expect(relative(root, join(root, ".env.example"))).toBe(".env.example");
  });
});

describe("LICENSE", () => {
  it("is the license package.json names", () => {
    expect(pkg.license).toBe("MIT");
    expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });
});
