import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "./io.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

const NOW = new Date("2026-11-27T12:00:00Z");

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-validate-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function validate(dir: string, args: string[] = [], isTty = false) {
  const io = captureIo({ cwd: dir, now: () => NOW, isTty });
  const code = await runCli(["validate", ...args], io);
  return { code, out: io.out, err: io.err };
}

const VALID = `version: 1
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    paths: { allow: ["src/**"] }
step_up:
  - name: deps
    when: { paths: ["src/package.json"] }
    approvers: { users: ["bob"] }
`;

const BROKEN = `version: 1
agents:
  copilot:
    owner: acme
    match: { ids: [198982749] }
    expires: 2026-02-30
    pathz: {}
`;

const QUESTIONABLE = `version: 1
agents:
  old:
    owner: "@alice"
    match: { ids: [1] }
    expires: 2026-01-31
    paths:
      allow: ["src/auth/**", "docs/**", "**/*.pem"]
      deny: ["src/**"]
    workflows: { allow: ["ci.yml", "src/*.ts"] }
step_up:
  - name: infra
    when: { paths: ["infra/**"] }
    approvers: { users: ["bob"] }
  - name: docs
    when: { paths: ["docs/**"] }
    approvers: { users: ["bob"] }
`;

describe("agent-policy validate", { timeout: 60_000 }, () => {
  it("accepts a valid policy (default file: .agent-policy.yml) with exit 0", async () => {
    const { code, out, err } = await validate(dirWith({ ".agent-policy.yml": VALID }));
    expect({ code, out, err }).toEqual({ code: 0, out: "valid: .agent-policy.yml\n", err: "" });
  });

  it("prints every schema error as FILE:LINE:COLUMN: MESSAGE and exits 1", async () => {
    const { code, out } = await validate(dirWith({ "p.yml": BROKEN }), ["p.yml"]);
    expect(code).toBe(1);
    expect(out.split("\n")).toEqual([
      "p.yml:4:12: agents.copilot.owner must be a GitHub user (@alice) or team (@org/team)",
      'p.yml:6:14: agents.copilot.expires is not a real calendar date: "2026-02-30"',
      'p.yml:7:5: unknown key "pathz" in agents.copilot; did you mean "paths"? (allowed: owner, description, match, expires, suspended, access, repos, branches, paths, workflows, environments)',
      "3 errors, 0 warnings",
      "",
    ]);
  });

  it("warns of an expired grant, globs that can never match and a step-up no agent can trigger, at their keys", async () => {
    const { code, out } = await validate(dirWith({ "p.yml": QUESTIONABLE }), ["p.yml"]);
    expect(code).toBe(0);
    expect(out.split("\n")).toEqual([
      "p.yml:6:14: warning: agents.old.expires (2026-01-31) has passed: all of old's activity is denied (agent-expired) until its owner extends it",
      "p.yml:8:15: warning: agents.old.paths.allow[0] (src/auth/**) can never allow a change: every path it matches is in agents.old.paths.deny or is a secret file",
      "p.yml:8:41: warning: agents.old.paths.allow[2] (**/*.pem) can never allow a change: every path it matches is in agents.old.paths.deny or is a secret file",
      "p.yml:10:36: warning: agents.old.workflows.allow[1] (src/*.ts) can never match a workflow: write a file name (ci.yml) or a path (.github/workflows/ci.yml)",
      'p.yml:13:20: warning: step_up[0] ("infra") can never trigger: no agent may change a path it names (each is outside its paths.allow, in its paths.deny, or a secret file)',
      "0 errors, 5 warnings",
      "",
    ]);
    expect((await validate(dirWith({ "p.yml": QUESTIONABLE }), ["p.yml", "--strict"])).code).toBe(1);
  });

  it("says when no agent is declared at all", async () => {
    const policy = "version: 1\nstep_up:\n  - name: x\n    when: { paths: ['a/**'] }\n    approvers: { users: [bob] }\n";
    const { out } = await validate(dirWith({ "p.yml": policy }), ["p.yml"]);
    expect(out).toContain('p.yml:4:20: warning: step_up[0] ("x") can never trigger: the policy declares no agents');
  });

  it("writes JSON with every problem, its severity, rule and key path", async () => {
    const { code, out } = await validate(dirWith({ "p.yml": QUESTIONABLE }), ["p.yml", "--format", "json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ valid: true, files: ["p.yml"], errors: 0, warnings: 5 });
    expect(json.problems[0]).toEqual({
      file: "p.yml",
      line: 6,
      column: 14,
      endLine: 6,
      endColumn: 24,
      severity: "warning",
      rule: "expired-agent",
      message: "agents.old.expires (2026-01-31) has passed: all of old's activity is denied (agent-expired) until its owner extends it",
      keyPath: ["agents", "old", "expires"],
    });
  });

  it("writes SARIF 2.1.0 that validates against the official schema", async () => {
    for (const text of [BROKEN, QUESTIONABLE, VALID]) {
      const { out } = await validate(dirWith({ ".agent-policy.yml": text }), ["--format", "sarif"]);
      const log = JSON.parse(out);
      expect(sarifSchemaErrors(log)).toEqual([]);
      expect(log.runs[0].automationDetails).toEqual({ id: "agent-policy/validate/" });
    }
    const log = JSON.parse((await validate(dirWith({ ".agent-policy.yml": BROKEN }), ["--format", "sarif"])).out);
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: "policy-invalid",
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: ".agent-policy.yml" }, region: { startLine: 4, startColumn: 12 } } }],
    });
  });

  it("exits 3 when the file cannot be read, 2 on a usage error, and colours only on a terminal", async () => {
    const dir = dirWith({ "p.yml": BROKEN });
    expect(await validate(dir, ["missing.yml"])).toMatchObject({ code: 3, err: "agent-policy validate: cannot read missing.yml: ENOENT\n" });
    expect((await validate(dir, ["a.yml", "b.yml"])).code).toBe(2);
    expect((await validate(dir, ["--format", "xml"])).err).toContain("--format must be one of text, json, sarif, not 'xml'");
    expect((await validate(dir, ["p.yml"])).out).not.toContain("\u001b[");
    expect((await validate(dir, ["p.yml"], true)).out).toContain("\u001b[1mp.yml:4:12:\u001b[22m");
  });
});

describe("validate --baseline", () => {
  const BASELINE = `version: 1
mode: enforce
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    paths: { allow: ["src/**", "test/**"] }
    expires: 2026-12-31
`;
  const WIDENING = `version: 1
mode: audit
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    paths: { allow: ["src/**", "docs/**"] }
    expires: 2027-06-30
  jules:
    owner: "@acme/web"
    match: { catalogue: [jules] }
    paths: { allow: ["**"] }
`;

  it("names every key of the repository policy that would widen the baseline, at its line and column", async () => {
    const dir = dirWith({ "baseline.yml": BASELINE, ".agent-policy.yml": WIDENING });
    const { code, out } = await validate(dir, ["--baseline", "baseline.yml"]);
    expect(code).toBe(1);
    expect(out.split("\n").filter(Boolean)).toEqual([
      ".agent-policy.yml:2:7: mode: audit would relax the org baseline's mode: enforce; enforce applies",
      `.agent-policy.yml:7:32: agents.copilot.paths.allow[1] "docs/**" reaches beyond the org baseline (e.g. "docs/a"); only what the baseline allows applies`,
      ".agent-policy.yml:8:14: agents.copilot.expires 2027-06-30 is later than the org baseline's 2026-12-31; the earlier date applies",
      ".agent-policy.yml:9:3: agents.jules is not declared in the org baseline, which does not let repositories declare agents; jules may act in no repository",
      "4 errors, 0 warnings",
    ]);
  });

  it("is valid when the repository policy only narrows, and reports each rule in JSON and SARIF", async () => {
    const narrow = BASELINE.replace('["src/**", "test/**"]', '["src/api/**"]');
    const ok = await validate(dirWith({ "baseline.yml": BASELINE, ".agent-policy.yml": narrow }), ["--baseline", "baseline.yml"]);
    expect(ok).toMatchObject({ code: 0, out: "valid: baseline.yml, .agent-policy.yml\n" });

    const dir = dirWith({ "baseline.yml": BASELINE, ".agent-policy.yml": WIDENING });
    const json = JSON.parse((await validate(dir, ["--baseline", "baseline.yml", "--format", "json"])).out) as { valid: boolean; problems: { rule: string; keyPath: unknown[] }[] };
    expect(json.valid).toBe(false);
    expect(json.problems.map((p) => [p.rule, p.keyPath.join(".")])).toEqual([
      ["baseline-widening", "mode"],
      ["baseline-widening", "agents.copilot.paths.allow.1"],
      ["baseline-widening", "agents.copilot.expires"],
      ["baseline-widening", "agents.jules"],
    ]);
    const sarif = JSON.parse((await validate(dir, ["--baseline", "baseline.yml", "--format", "sarif"])).out);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
  });

  it("reports a baseline that does not validate against the baseline file", async () => {
    const dir = dirWith({ "baseline.yml": "version: 2\n", ".agent-policy.yml": VALID });
    const { code, out } = await validate(dir, ["--baseline", "baseline.yml"]);
    expect(code).toBe(1);
    expect(out).toMatch(/^baseline\.yml:1:10: /);
  });

  it("exits 3 when the baseline cannot be read", async () => {
    const { code, err } = await validate(dirWith({ ".agent-policy.yml": VALID }), ["--baseline", "missing.yml"]);
    expect(code).toBe(3);
    expect(err).toContain("cannot read missing.yml: ENOENT");
  });
});
