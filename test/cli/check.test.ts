import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { CHECK_POLICY } from "./check-policy.js";
import { TempRepo, COPILOT_GIT, HUMAN } from "./git-repo.js";
import { captureIo, root } from "./io.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

const NOW = new Date("2026-11-27T12:00:00Z");


/** A repository whose main holds the policy, with HEAD on a new branch `branch`. */
function repoOnBranch(branch = "copilot/fix", policy: string | null = CHECK_POLICY): TempRepo {
  const repo = new TempRepo();
  repo.commit("base", { "README.md": "hello\n", "src/app.ts": "export {};\n", ...(policy === null ? {} : { ".agent-policy.yml": policy }) });
  repo.git("checkout", "-q", "-b", branch);
  return repo;
}

async function check(repo: TempRepo, args: string[], overrides: Parameters<typeof captureIo>[0] = {}) {
  const io = captureIo({ cwd: repo.dir, now: () => NOW, ...overrides });
  const code = await runCli(["check", ...args], io);
  return { code, out: io.out, err: io.err };
}

async function checkJson(repo: TempRepo, args: string[], overrides: Parameters<typeof captureIo>[0] = {}) {
  const { code, out, err } = await check(repo, [...args, "--format", "json"], overrides);
  expect(err).toBe("");
  return { code, json: JSON.parse(out) };
}

describe("agent-policy check: exit codes", { timeout: 60_000 }, () => {
  it("exits 0 (allow) for an agent's change within its scope", async () => {
    const repo = repoOnBranch();
    repo.commit("work", { "src/feature.ts": "export const f = 1;\n" }, COPILOT_GIT);
    const { code, json } = await checkJson(repo, ["--agent", "copilot", "--base", "main"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ verdict: "allow", exitCode: 0, title: "Compliant: copilot stayed within policy", policy: { source: "repository", path: ".agent-policy.yml", ref: "main" } });
    expect(json.decision.agents.map((a: { key: string }) => a.key)).toEqual(["copilot"]);
  });

  it("exits 1 (step-up) when a path needs approval, and names who must approve", async () => {
    const repo = repoOnBranch();
    repo.commit("deps", { "package.json": "{}\n" }, COPILOT_GIT);
    const { code, out } = await check(repo, ["--agent", "copilot", "--base", "main"]);
    expect(code).toBe(1);
    expect(out).toContain("Requires step-up review: 1 finding for copilot (exit 1)");
    expect(out).toContain("  dependencies: 1 from @octo-lead (package.json)");
  });

  it("exits 2 (deny) for a change outside the agent's scope, on both sides of a rename", async () => {
    const repo = new TempRepo();
    repo.commit("base", { ".agent-policy.yml": CHECK_POLICY, ".env": "A=1\n" });
    repo.git("checkout", "-q", "-b", "copilot/fix");
    repo.commit("hide it", { "src/notes.txt": { renameFrom: ".env" } }, COPILOT_GIT);
    const { code, json } = await checkJson(repo, ["--agent", "copilot", "--base", "main"]);
    expect(code).toBe(2);
    const found = json.decision.findings.map((f: any) => [f.ruleId, f.asset.value, f.asset.previousPath]);
    // The old side is a secret file and outside the agent's paths; the new side, src/notes.txt, is neither.
    expect(found).toEqual([
      ["secret-file", ".env", "src/notes.txt"],
      ["path-scope", ".env", "src/notes.txt"],
    ]);
  });

  it("exits 3 when the base's policy does not validate, printing FILE:LINE:COLUMN for each error", async () => {
    const repo = repoOnBranch("copilot/fix", "version: 1\nagents:\n  copilot:\n    owner: acme\n    match: { ids: [1] }\n");
    repo.commit("work", { "src/a.ts": "a\n" });
    const { code, out, err } = await check(repo, ["--agent", "copilot", "--base", "main"]);
    expect(code).toBe(3);
    expect(out).toBe("");
    expect(err).toContain(".agent-policy.yml:4:12: agents.copilot.owner must be a GitHub user (@alice) or team (@org/team)");
  });

  it("exits 3 with a usage message for bad or missing options, never 2 (which means deny)", async () => {
    const repo = repoOnBranch();
    const cases: [string[], string][] = [
      [[], "give exactly one of --actor LOGIN or --agent ID"],
      [["--actor", "x", "--agent", "copilot"], "give exactly one of --actor LOGIN or --agent ID"],
      [["--agent", "copilot", "--format", "xml"], "--format must be one of table, json, sarif, not 'xml'"],
      [["--agent", "copilot", "--bogus"], "Unknown option '--bogus'"],
      [["--actor-id", "5", "--agent", "copilot"], "--actor-id needs --actor"],
      [["--actor", "x", "--actor-id", "abc"], "--actor-id must be a GitHub account id"],
      [["--agent", "nobody", "--base", "main"], "unknown agent 'nobody': not declared in the policy (agents: copilot, claude-local) and not a catalogue id"],
      [["--agent", "copilot"], "cannot tell the base of the change: pass --base REF"],
      [["--agent", "copilot", "extra"], "unexpected argument 'extra'"],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await check(repo, args);
      expect({ args, code }).toEqual({ args, code: 3 });
      expect(err).toContain(message);
      expect(err).toContain("Run 'agent-policy check --help' for usage.");
    }
  });

  it("exits 3 on a detached HEAD unless --branch says which branch the change is on", async () => {
    const repo = repoOnBranch();
    repo.commit("work", { "src/a.ts": "a\n" }, COPILOT_GIT);
    repo.git("checkout", "-q", "--detach");
    expect((await check(repo, ["--agent", "copilot", "--base", "main"])).err).toContain("cannot tell which branch HEAD (detached) is: pass --branch NAME");
    expect((await check(repo, ["--agent", "copilot", "--base", "main", "--branch", "copilot/fix"])).code).toBe(0);
    expect((await check(repo, ["--agent", "copilot", "--base", "main", "--branch", "feature/x"])).code).toBe(2);
  });

  it("exits 0 in audit mode (no policy at the base: built-in rules) and says what enforce mode would do", async () => {
    const repo = repoOnBranch("jules/fix", null);
    repo.commit("work", { "src/a.ts": "a\n" });
    const { code, out } = await check(repo, ["--agent", "jules", "--base", "main"]);
    expect(code).toBe(0);
    expect(out).toContain("Audit mode (not blocking): would deny: 1 finding for jules (exit 0)");
    expect(out).toContain("policy  none (no .agent-policy.yml at main): built-in rules, audit mode");
    expect(out).toContain("match: { catalogue: [jules] }");
  });
});

describe("agent-policy check: what it reads", { timeout: 60_000 }, () => {
  it("finds assistants from commit trailers when a person's account pushes (--actor), and from commit e-mails", async () => {
    const repo = repoOnBranch("feature/ci");
    repo.commit("ci\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", { ".github/workflows/ci.yml": "on: push\n" }, HUMAN);
    const { code, json } = await checkJson(repo, ["--actor", "octo-dev", "--base", "main"]);
    expect(code).toBe(1);
    expect(json.decision.agents).toEqual([
      expect.objectContaining({ key: "claude-local", declared: true, owner: "@alice", evidence: [expect.objectContaining({ role: "co_author" })] }),
    ]);
    expect(json.decision.findings.map((f: any) => [f.ruleId, f.verdict])).toEqual([["governance-file", "step_up"]]);

    const byEmail = repoOnBranch("copilot/x");
    byEmail.commit("work", { "src/auth/login.ts": "x\n" }, COPILOT_GIT);
    const human = await checkJson(byEmail, ["--actor", "octo-dev", "--base", "main"]);
    expect(human.code).toBe(2);
    expect(human.json.decision.agents[0].evidence.map((e: any) => e.role)).toEqual(["commit_author", "committer"]);
  });

  it("reads both versions of a changed workflow, so widening its permissions is workflow-escalation, and an unreadable one fails closed", async () => {
    const repo = new TempRepo();
    repo.commit("base", { ".agent-policy.yml": CHECK_POLICY, ".github/workflows/ci.yml": "on: push\npermissions: { contents: read }\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{ run: make }]\n" });
    repo.git("checkout", "-q", "-b", "copilot/ci");
    repo.commit("ci", { ".github/workflows/ci.yml": "on: push\npermissions: write-all\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{ run: make }]\n" }, COPILOT_GIT);
    const widened = await checkJson(repo, ["--agent", "copilot", "--base", "main"]);
    expect(widened.json.decision.findings.map((f: any) => [f.ruleId, f.verdict])).toEqual([
      ["workflow-escalation", "deny"],
      ["governance-file", "step_up"],
    ]);
    repo.commit("break it", { ".github/workflows/ci.yml": "on: [push\n" }, COPILOT_GIT);
    const broken = await checkJson(repo, ["--agent", "copilot", "--base", "main"]);
    expect(broken.json.decision.findings.map((f: any) => f.ruleId)).toContain("workflow-escalation");
    expect(broken.code).toBe(2);
  });

  it("tells the shared login Copilot apart by --actor-id, as the app does by account id", async () => {
    const repo = repoOnBranch();
    repo.commit("work", { "src/auth/x.ts": "x\n" }, HUMAN);
    expect((await check(repo, ["--actor", "Copilot", "--base", "main"])).code).toBe(0);
    expect((await check(repo, ["--actor", "Copilot", "--actor-id", "175728472", "--base", "main"])).code).toBe(0);
    expect((await check(repo, ["--actor", "Copilot", "--actor-id", "198982749", "--base", "main"])).code).toBe(2);
  });

  it("judges with the base's policy, never the change's own version, and denies the change to it", async () => {
    const repo = repoOnBranch();
    repo.commit("widen myself", { ".agent-policy.yml": CHECK_POLICY.replace('allow: ["src/**"', 'allow: ["**"'), "lib/x.ts": "x\n" }, COPILOT_GIT);
    const { code, json } = await checkJson(repo, ["--agent", "copilot", "--base", "main"]);
    expect(code).toBe(2);
    expect(json.decision.findings.map((f: any) => [f.ruleId, f.asset.value])).toEqual([
      ["policy-self-edit", ".agent-policy.yml"],
      ["path-scope", ".agent-policy.yml"],
      ["path-scope", "lib/x.ts"],
    ]);
  });

  it("uses --policy FILE when given, and protects that file from the change too", async () => {
    const repo = repoOnBranch();
    writeFileSync(join(repo.dir, "strict.yml"), CHECK_POLICY.replace('"docs/**", ', ""));
    repo.commit("docs", { "docs/a.md": "a\n", "strict.yml": CHECK_POLICY }, COPILOT_GIT);
    writeFileSync(join(repo.dir, "strict.yml"), CHECK_POLICY.replace('"docs/**", ', ""));
    const { code, json } = await checkJson(repo, ["--agent", "copilot", "--base", "main", "--policy", "strict.yml"]);
    expect(code).toBe(2);
    expect(json.policy).toEqual({ source: "repository", path: "strict.yml", ref: "the working tree" });
    expect(json.decision.findings.map((f: any) => [f.ruleId, f.asset.value])).toEqual([
      ["policy-self-edit", "strict.yml"],
      ["path-scope", "docs/a.md"],
      ["path-scope", "strict.yml"],
    ]);
  });

  it("judges --push to a protected branch as the incident it would be", async () => {
    const repo = new TempRepo();
    repo.commit("base", { ".agent-policy.yml": CHECK_POLICY });
    repo.commit("straight to main", { "src/a.ts": "a\n" }, COPILOT_GIT);
    const { code, json } = await checkJson(repo, ["--agent", "copilot", "--base", "HEAD~1", "--push"]);
    expect(code).toBe(2);
    expect(json.change).toMatchObject({ kind: "push", branch: "main" });
    expect(json.decision.findings.map((f: any) => f.ruleId)).toEqual(["branch-scope", "push-to-protected-branch"]);
  });

  it("in a clone, defaults the base to origin's default branch, or to the pull request's base and head in GitHub Actions", async () => {
    const origin = repoOnBranch();
    origin.git("checkout", "-q", "main");
    const clone = new TempRepo();
    clone.git("remote", "add", "origin", origin.dir);
    clone.git("fetch", "-q", "origin");
    clone.git("remote", "set-head", "origin", "main");
    clone.git("checkout", "-q", "-b", "copilot/fix", "origin/main");
    clone.commit("work", { "src/auth/a.ts": "a\n" }, COPILOT_GIT);
    const plain = await checkJson(clone, ["--agent", "copilot"]);
    expect(plain.json.change).toMatchObject({ base: "origin/main", branch: "copilot/fix" });
    expect(plain.code).toBe(2);

    clone.git("checkout", "-q", "--detach");
    const actions = await checkJson(clone, ["--agent", "copilot"], { env: { GITHUB_BASE_REF: "main", GITHUB_HEAD_REF: "copilot/fix", GITHUB_REPOSITORY: "acme/api" } });
    expect(actions.json.change).toMatchObject({ base: "origin/main", branch: "copilot/fix" });
    expect(actions.code).toBe(2);
  });
});

describe("agent-policy check: output", { timeout: 60_000 }, () => {
  function deniedChange(): TempRepo {
    const repo = repoOnBranch();
    repo.commit(
      "work\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
      { "src/auth/login.ts": "x\n", "src/config.ts": 'export const token = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A";\n', "package.json": "{}\n" },
      COPILOT_GIT,
    );
    return repo;
  }

  it("prints a table of findings (snapshot)", async () => {
    const { code, out } = await check(deniedChange(), ["--agent", "copilot", "--base", "main"]);
    expect(code).toBe(2);
    await expect(out).toMatchFileSnapshot("./__snapshots__/check-table.txt");
  });

  it("writes SARIF 2.1.0 that validates against the official schema, each result on its file and line", async () => {
    const repo = deniedChange();
    const { code, out } = await check(repo, ["--agent", "copilot", "--base", "main", "--format", "sarif", "--sarif", "copy.sarif"]);
    expect(code).toBe(2);
    const log = JSON.parse(out);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(readFileSync(join(repo.dir, "copy.sarif"), "utf8")).toBe(out);
    const results = log.runs[0].results.map((r: any) => [r.ruleId, r.level, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine]);
    expect(results).toEqual([
      ["secret-content", "error", "src/config.ts", 1],
      ["secret-content", "error", "src/config.ts", 1],
      ["path-scope", "error", "src/auth/login.ts", 1],
      ["step-up", "warning", "package.json", 1],
      ["step-up", "warning", "package.json", 1],
    ]);
    expect(log.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(["path-scope", "secret-content", "step-up"]);
    expect(JSON.stringify(log)).not.toContain("ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
  });

  it("points findings that are not about a file at the agent's entry in the policy", async () => {
    const repo = repoOnBranch("feature/x");
    repo.commit("work", { "src/a.ts": "a\n" }, COPILOT_GIT);
    const log = JSON.parse((await check(repo, ["--agent", "copilot", "--base", "main", "--format", "sarif"])).out);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine])).toEqual([
      ["branch-scope", ".agent-policy.yml", 3],
    ]);
  });

  it("colours only on a terminal, and shows control characters in file names as escapes", async () => {
    const repo = repoOnBranch();
    repo.commit("work", { "src/auth/\u001b[2Jx.ts": "x\n" }, COPILOT_GIT);
    const plain = await check(repo, ["--agent", "copilot", "--base", "main"]);
    expect(plain.out).not.toContain("\u001b");
    expect(plain.out).toContain("src/auth/\\u001b[2Jx.ts");
    const tty = await check(repo, ["--agent", "copilot", "--base", "main"], { isTty: true });
    expect(tty.out).toContain("\u001b[31m");
    expect(tty.out).not.toContain("\u001b[2J");
  });
});

describe("agent-policy check as a git pre-push hook (the built bin)", { timeout: 60_000 }, () => {
  it("stops the push of a denied change and lets an allowed one through", () => {
    const remote = mkdtempSync(join(tmpdir(), "agent-policy-remote-"));
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
    const repo = new TempRepo();
    repo.commit("base", { ".agent-policy.yml": CHECK_POLICY });
    repo.git("remote", "add", "origin", remote);
    repo.git("push", "-q", "origin", "main");
    repo.git("checkout", "-q", "-b", "copilot/fix");
    const bin = join(root, JSON.parse(readFileSync(join(root, "package.json"), "utf8")).bin["agent-policy"]);
    const hook = join(repo.dir, ".git", "hooks", "pre-push");
    writeFileSync(
      hook,
      `#!/bin/sh
# agent-policy: judge what is pushed, as the copilot agent
zero=0000000000000000000000000000000000000000
while read local_ref local_sha remote_ref remote_sha; do
  [ "$local_sha" = "$zero" ] && continue
  base="$remote_sha"; [ "$base" = "$zero" ] && base=origin/main
  "${process.execPath}" "${bin}" check --agent copilot --base "$base" --head "$local_sha" --branch "\${remote_ref#refs/heads/}" || exit 1
done
`,
    );
    chmodSync(hook, 0o755);
    const push = () => spawnSync("git", ["push", "-q", "origin", "copilot/fix"], { cwd: repo.dir, encoding: "utf8", env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });

    repo.commit("fine", { "src/a.ts": "a\n" }, COPILOT_GIT);
    const allowed = push();
    expect(allowed.status).toBe(0);

    repo.commit("not fine", { "src/auth/b.ts": "b\n" }, COPILOT_GIT);
    const denied = push();
    expect(denied.status).not.toBe(0);
    expect(denied.stdout).toContain("Denied: 1 finding for copilot (exit 2)");
    expect(denied.stderr).toContain("failed to push");
  });
});

describe("agent-policy check --baseline", { timeout: 60_000 }, () => {
  const BASELINE = `version: 1
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    paths: { allow: ["src/**"] }
    repos: { allow: ["widgets"] }
  claude-local:
    owner: "@alice"
    match: { catalogue: [claude-code] }
    access: suggest
    paths: { allow: ["**"] }
`;

  function withBaseline(): { repo: TempRepo; file: string } {
    const repo = repoOnBranch();
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-baseline-")), "baseline.yml");
    writeFileSync(file, BASELINE);
    return { repo, file };
  }

  it("judges with the repository policy narrowed by the baseline: a path the repository allows but the baseline does not is denied", async () => {
    const { repo, file } = withBaseline();
    repo.commit("docs", { "docs/guide.md": "hi\n" }, COPILOT_GIT);
    const { code, out, err } = await check(repo, ["--agent", "copilot", "--base", "main", "--repo", "acme/widgets", "--baseline", file]);
    expect(code).toBe(2);
    expect(out).toContain(`baseline  ${file} (org floor: the policy may only narrow it)`);
    expect(out).toMatch(/deny +path-scope +copilot +path docs\/guide\.md/);
    expect(err).toContain('agent-policy check: warning: .agent-policy.yml:8:25: agents.copilot.paths.allow[1] "docs/**" reaches beyond the org baseline (e.g. "docs/a")');

    const without = await check(repo, ["--agent", "copilot", "--base", "main", "--repo", "acme/widgets"]);
    expect(without.code).toBe(0);
  });

  it("denies outside the agent's repositories (repo-scope) and any write by a suggest-only agent", async () => {
    const { repo, file } = withBaseline();
    repo.commit("work", { "src/feature.ts": "export const f = 1;\n" }, COPILOT_GIT);
    const run = await check(repo, ["--agent", "copilot", "--base", "main", "--repo", "acme/payments", "--baseline", file, "--format", "json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.out).decision.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(["repo-scope"]);

    const claude = await check(repo, ["--agent", "claude-local", "--base", "main", "--repo", "acme/widgets", "--baseline", file, "--format", "json"]);
    expect(claude.code).toBe(2);
    expect(JSON.parse(claude.out).decision.findings.map((f: { ruleId: string }) => f.ruleId)).toContain("write-by-suggest-only");
  });

  it("exits 3 when the baseline does not validate or cannot be read", async () => {
    const { repo } = withBaseline();
    const dir = mkdtempSync(join(tmpdir(), "agent-policy-baseline-"));
    writeFileSync(join(dir, "bad.yml"), "version: 1\nmode: sometimes\n");
    const bad = await check(repo, ["--agent", "copilot", "--base", "main", "--baseline", join(dir, "bad.yml")]);
    expect(bad.code).toBe(3);
    expect(bad.err).toContain("bad.yml:2:7:");
    const missing = await check(repo, ["--agent", "copilot", "--base", "main", "--baseline", join(dir, "none.yml")]);
    expect(missing.code).toBe(3);
    expect(missing.err).toContain("cannot read the baseline");
  });
});
