// Benchmarks the pure engine on the largest inputs GitHub hands the app:
// a 3000-file, 250-commit pull request with patches, a policy parse, and a
// 1 MB diff scanned for secrets. Run after `npm run build`: `npm run bench`.
// Prints the median and p95 over a fixed number of rounds, and the heap used.
import { readFileSync } from "node:fs";
import { parsePolicy } from "../dist/policy/parse-policy.js";
import { evaluatePolicy } from "../dist/engine/evaluate-policy.js";
import { scanAddedLines } from "../dist/engine/secrets/scan.js";

const policyText = readFileSync(new URL("../test/fixtures/policies/valid.yml", import.meta.url), "utf8");
const parsed = parsePolicy(policyText);
if (!parsed.ok) throw new Error("fixture policy does not parse");
const policy = parsed.policy;

const patch = Array.from({ length: 40 }, (_, i) => `+const value${i} = compute(${i}, "text ${i}");`).join("\n");
const files = Array.from({ length: 3000 }, (_, i) => ({
  path: `${["src", "test", "docs", "lib", ".github/workflows"][i % 5]}/module-${i}/file-${i}.ts`,
  status: i % 7 === 0 ? "renamed" : "modified",
  ...(i % 7 === 0 ? { previousPath: `old/module-${i}/file-${i}.ts` } : {}),
  additions: 40,
  deletions: 0,
  patch: `@@ -0,0 +1,40 @@\n${patch}`,
}));
const copilot = { login: "Copilot", id: 198982749, type: "Bot" };
const commits = Array.from({ length: 250 }, (_, i) => ({
  sha: i.toString(16).padStart(40, "0"),
  message: `Change ${i}\n\nCo-authored-by: Dev ${i} <dev${i}@example.com>`,
  author: { ...copilot, name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" },
  committer: { login: "web-flow", id: 19864447, type: "User", name: "GitHub", email: "noreply@github.com" },
}));
const facts = {
  kind: "pull_request",
  repository: { owner: "acme", name: "api", defaultBranch: "main" },
  number: 1,
  headSha: "f".repeat(40),
  headRef: "copilot/big-change",
  baseRef: "main",
  actors: [{ role: "pr_author", identity: copilot }],
  commits,
  commitsComplete: true,
  files,
  changedFiles: files.length,
  policyPaths: [".agent-policy.yml"],
};
const bigPatch = "@@ -0,0 +1,20000 @@\n" + Array.from({ length: 20000 }, (_, i) => `+line ${i}: ${"x".repeat(i % 40)} value=${(i * 7919).toString(36)}`).join("\n");

// Wall time, and the CPU time of the process (user + system, GC threads included): on a machine shared with
// other work, the wall time grows with the load and the CPU time much less.
function measure(name, rounds, fn) {
  for (let i = 0; i < Math.min(3, rounds); i++) fn();
  const times = [];
  const cpu = [];
  for (let i = 0; i < rounds; i++) {
    const usage = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(usage);
    cpu.push((used.user + used.system) / 1e3);
  }
  const at = (list, q) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))];
  const ms = (v) => `${v.toFixed(2).padStart(8)} ms`;
  console.log(`${name.padEnd(52)} median ${ms(at(times, 0.5))}   p95 ${ms(at(times, 0.95))}   cpu median ${ms(at(cpu, 0.5))}   (${rounds} rounds)`);
}

// An organisation's policy: 100 agents with 5 globs each (500 globs). On a 3000-file pull request by one
// of them (its own service, a third of the files in its denied secrets/ folder), and — the worst case — with
// every agent named as co-author, so each agent's scope is matched against every file (~300 000 findings).
const AGENTS = 100;
const orgLines = ["version: 1", "agents:"];
for (let i = 0; i < AGENTS; i++) {
  orgLines.push(
    `  agent-${i}:`,
    `    owner: "@acme/team-${i}"`,
    `    match: { emails: ["agent-${i}@bots.example"] }`,
    `    branches: ["agents/**"]`,
    `    paths:`,
    `      allow: ["services/svc-${i}/**", "libs/lib-${i}/**/*.ts", "docs/svc-${i}/**"]`,
    `      deny: ["services/svc-${i}/secrets/**", "**/*.svc-${i}.key"]`,
  );
}
const orgParsed = parsePolicy(`${orgLines.join("\n")}\n`);
if (!orgParsed.ok) throw new Error("generated org policy does not parse");
const orgGlobs = orgParsed.policy.agents ? Object.values(orgParsed.policy.agents).reduce((n, a) => n + (a.paths?.allow?.length ?? 0) + (a.paths?.deny?.length ?? 0), 0) : 0;
const orgFiles = (service) =>
  Array.from({ length: 3000 }, (_, i) => ({
    path: `services/svc-${service ?? i % 120}/${i % 3 === 0 ? "secrets/" : ""}module-${i}/file-${i}.ts`,
    status: "modified",
    additions: 1,
    deletions: 0,
    patch: "@@ -0,0 +1 @@\n+export const x = 1;",
  }));
const oneAgentFacts = {
  ...facts,
  headRef: "agents/svc-7",
  files: orgFiles(7),
  commits: [{ sha: "e".repeat(40), message: "Change svc-7", author: { name: "Agent 7", email: "agent-7@bots.example" }, committer: { name: "Agent 7", email: "agent-7@bots.example" } }],
  actors: [],
};
const orgFacts = {
  ...facts,
  headRef: "agents/sweep",
  files: orgFiles(),
  commits: [
    {
      sha: "e".repeat(40),
      message: ["Sweeping change", "", ...Array.from({ length: AGENTS }, (_, i) => `Co-authored-by: Agent ${i} <agent-${i}@bots.example>`)].join("\n"),
      author: { name: "Octo Dev", email: "dev@example.com" },
      committer: { name: "Octo Dev", email: "dev@example.com" },
    },
  ],
  actors: [],
};

let findings = 0;
let orgFindings = 0;
let oneAgentFindings = 0;
measure("parsePolicy (SPEC example policy)", 200, () => parsePolicy(policyText));
measure("evaluatePolicy (3000 files, 250 commits, patches)", 30, () => {
  findings = evaluatePolicy(policy, facts, { now: new Date("2026-11-27T12:00:00Z") }).findings.length;
});
measure(`evaluatePolicy (${AGENTS} agents, ${orgGlobs} globs, 3000 files, 1 agent)`, 30, () => {
  oneAgentFindings = evaluatePolicy(orgParsed.policy, oneAgentFacts, { now: new Date("2026-11-27T12:00:00Z") }).findings.length;
});
measure(`evaluatePolicy (same, all ${AGENTS} agents seen)`, 3, () => {
  orgFindings = evaluatePolicy(orgParsed.policy, orgFacts, { now: new Date("2026-11-27T12:00:00Z") }).findings.length;
});
measure(`scanAddedLines (${(bigPatch.length / 1e6).toFixed(1)} MB diff)`, 30, () => scanAddedLines(bigPatch));
console.log(`findings on the large PR: ${findings}; one agent's PR in the org: ${oneAgentFindings}; all agents: ${orgFindings}; heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB; node ${process.version}`);
