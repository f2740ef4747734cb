// The real server process (dist/server.js) against a local fake GitHub on
// loopback, rate limiting off, several installations: webhooks/s, latency,
// GitHub API calls and writes per event, CPU per event and peak RSS.
// Run by `npm run bench` (after the build); bounded: it stops by itself.
import { spawn } from "node:child_process";
import { createHmac, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeGitHub } from "../test/e2e/fake-github.js";
import { fullName, type InstalledRepo } from "../test/e2e/pull-events.js";
import { appKeyPair, commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, pullResponse } from "../test/fixtures/github.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const INSTALLATIONS = Number(process.env.BENCH_INSTALLATIONS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 15 * 60_000);
const SECRET = "bench-webhook-secret";
const POLICY = `version: 1
mode: enforce
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    branches: ["copilot/**"]
    paths:
      allow: ["src/**", "test/**", "docs/**"]
      deny: ["src/auth/**"]
step_up:
  - name: dependencies
    when: { paths: ["package.json"] }
    approvers: { users: ["octo-lead"] }
`;

/** CPU seconds (user + system) and peak resident set of a process, from /proc. */
function processStats(pid: number): { cpuSeconds: number; peakRssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds: ticks / 100, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  const githubPort = await github.start();
  const repos: InstalledRepo[] = Array.from({ length: INSTALLATIONS }, (_, i) => ({ owner: `org-${i}`, name: "service", installationId: 1000 + i }));
  for (const repo of repos) github.setFile(fullName(repo), "main", ".agent-policy.yml", POLICY);

  const dir = mkdtempSync(join(tmpdir(), "agent-policy-bench-"));
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profile", to see where the app's time goes.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : [];
  const child = spawn(process.execPath, [...nodeArgs, `${root}/dist/server.js`], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      APP_ID: "123",
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: "0",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      GITHUB_THROTTLING: "false",
      LOG_LEVEL: "info",
      AUDIT_FILE: process.env.BENCH_AUDIT_FILE ?? join(dir, "audit.jsonl"),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let port = 0;
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    const m = /is serving: webhooks at http:\/\/[^:]+:(\d+)\//.exec(output);
    if (m && !port) port = Number(m[1]);
    if (output.length > 100_000) output = output.slice(-10_000);
  });
  const started = Date.now();
  while (!port) {
    if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
    if (Date.now() - started > 30_000) throw new Error("the app did not start");
    await new Promise((r) => setTimeout(r, 100));
  }

  const send = async (event: string, payload: unknown, delivery: string): Promise<number> => {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": signature },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };

  // Each event is a new commit pushed to one of 20 Copilot pull requests per installation: a new check run each time.
  const template = examplePayload("pull_request", "synchronize");
  // Each push lands on the head the pull request's previous event judged, as on GitHub: its record carries over.
  const heads = new Map<string, string>();
  const eventFor = (n: number) => {
    const repo = repos[n % repos.length]!;
    const number = 1 + (Math.floor(n / repos.length) % 20);
    const sha = n.toString(16).padStart(40, "0");
    const pr = `${fullName(repo)}#${number}`;
    const before = heads.get(pr) ?? (n + 1).toString(16).padStart(40, "f");
    heads.set(pr, sha);
    github.setPull(fullName(repo), number, {
      pull: pullResponse({ number, headSha: sha, headRef: `copilot/change-${number}`, baseRef: "main", defaultBranch: "main", user: COPILOT, changedFiles: 3, commits: 1, owner: repo.owner, repo: repo.name }),
      files: [fileEntry(`src/module-${number}.ts`), fileEntry(`test/module-${number}.test.ts`), fileEntry("docs/notes.md")],
      commits: [{ ...commitEntry(sha, `Change ${n}`, { account: COPILOT, ...COPILOT_COMMITTER }), parents: [{ sha: before }] }],
    });
    const payload = structuredClone(template);
    payload.number = number;
    payload.before = before;
    payload.after = sha;
    payload.installation = { ...payload.installation, id: repo.installationId };
    payload.repository = { ...payload.repository, name: repo.name, full_name: fullName(repo), default_branch: "main", owner: { ...payload.repository.owner, login: repo.owner } };
    payload.pull_request = {
      ...payload.pull_request,
      number,
      head: { ...payload.pull_request.head, sha, ref: `copilot/change-${number}` },
      base: { ...payload.pull_request.base, ref: "main" },
      user: { ...payload.pull_request.user, ...COPILOT },
      html_url: `https://github.com/${fullName(repo)}/pull/${number}`,
      commits: 1,
      changed_files: 3,
    };
    payload.sender = { ...payload.sender, ...COPILOT };
    return payload;
  };

  // Warm-up, one push to each pull request: tokens, policy caches, the records of their heads, JIT; not measured.
  for (let n = 0; n < repos.length * 20; n++) await send("pull_request", eventFor(EVENTS + n), `warm-${n}`);
  const requestsBefore = github.requests.length;
  const statsBefore = processStats(child.pid!);

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const began = performance.now();
  const deadline = Date.now() + DEADLINE_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS && Date.now() < deadline) {
        const n = next++;
        const payload = eventFor(n);
        const t = performance.now();
        const status = await send("pull_request", payload, `bench-${n}`);
        latencies.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  const statsAfter = processStats(child.pid!);
  const done = latencies.length;
  const requests = github.requests.slice(requestsBefore);
  const writes = requests.filter((r) => r.method !== "GET").length;
  const byRoute = new Map<string, number>();
  for (const r of requests) {
    const route = `${r.method} ${r.path.split("?")[0]!.replace(/\/repos\/[^/]+\/[^/]+/, "/repos/{repo}").replace(/\/[0-9a-f]{40}/g, "/{sha}").replace(/\/\d+(?=\/|$)/g, "/{n}")}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  }
  latencies.sort((a, b) => a - b);

  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await github.stop();
  rmSync(dir, { recursive: true, force: true });

  console.log(`server: ${done} events (${INSTALLATIONS} installations, ${CONCURRENCY} in flight, rate limiting off) in ${seconds.toFixed(1)} s`);
  console.log(`  statuses: ${[...statuses].map(([s, c]) => `${s}×${c}`).join(", ")}${done < EVENTS ? `; stopped at the ${DEADLINE_MS / 1000} s deadline` : ""}`);
  console.log(`  throughput: ${(done / seconds).toFixed(1)} webhooks/s; latency p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`);
  console.log(`  GitHub API calls per event: ${(requests.length / done).toFixed(2)} (writes: ${(writes / done).toFixed(2)})`);
  for (const [route, count] of [...byRoute].sort((a, b) => b[1] - a[1])) console.log(`    ${(count / done).toFixed(2)}  ${route}`);
  console.log(`  app CPU per event: ${(((statsAfter.cpuSeconds - statsBefore.cpuSeconds) / done) * 1000).toFixed(2)} ms; peak RSS ${statsAfter.peakRssMb.toFixed(0)} MB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
