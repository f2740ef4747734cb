import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CHECK_POLICY } from "./check-policy.js";
import { COPILOT_GIT, TempRepo } from "./git-repo.js";
import { root } from "./io.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

const action = parse(readFileSync(join(root, "action.yml"), "utf8")) as { runs: { using: string; steps: Step[] }; inputs: Record<string, unknown> };
const steps = action.runs.steps;
const stepNamed = (name: string) => steps.find((s) => s.name === name)!;

/** Runs one of the action's shell steps as GitHub's runner does (`bash --noprofile --norc -eo pipefail`), with the given environment. */
function runStep(step: Step, cwd: string, env: Record<string, string>) {
  const output = join(mkdtempSync(join(tmpdir(), "agent-policy-action-")), "output");
  writeFileSync(output, "");
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd, encoding: "utf8", env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", GITHUB_OUTPUT: output, GIT_CONFIG_GLOBAL: "/dev/null", ...env } });
  return { ...result, outputs: Object.fromEntries(readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => l.split("=", 2) as [string, string])) };
}

describe("the GitHub Action (action.yml)", { timeout: 60_000 }, () => {
  it("is a composite action: node 20, install, check the pull request's range, upload SARIF, then the verdict", () => {
    expect(action.runs.using).toBe("composite");
    expect(steps[0]).toMatchObject({ uses: "actions/setup-node@v4", with: { "node-version": 20 } });
    expect(stepNamed("Install agent-policy").run).toContain("npm ci");
    const check = stepNamed("Check the pull request");
    expect(check.env).toMatchObject({
      BASE_SHA: "${{ github.event.pull_request.base.sha }}",
      HEAD_SHA: "${{ github.event.pull_request.head.sha }}",
      AUTHOR_ID: "${{ github.event.pull_request.user.id }}",
    });
    // Event text reaches the script only through the environment, never spliced into it.
    expect(check.run).not.toContain("${{");
    expect(stepNamed("Upload the findings to code scanning")).toMatchObject({
      uses: "github/codeql-action/upload-sarif@v3",
      with: { sarif_file: "${{ inputs.sarif-file }}", category: "agent-policy" },
    });
    expect(Object.keys(action.inputs)).toEqual(["agent", "policy", "fail-on", "upload-sarif", "sarif-file"]);
  });

  it("its check step judges a shallow checkout's pull request as its author, fetching the history it needs, and writes valid SARIF", () => {
    const origin = new TempRepo();
    origin.commit("base", { ".agent-policy.yml": CHECK_POLICY, "src/app.ts": "a\n" });
    const base = origin.git("rev-parse", "HEAD").trim();
    origin.git("checkout", "-q", "-b", "copilot/fix");
    origin.commit("one", { "src/a.ts": "a\n" }, COPILOT_GIT);
    const head = origin.commit("two", { "src/auth/b.ts": "b\n" }, COPILOT_GIT);
    const workspace = mkdtempSync(join(tmpdir(), "agent-policy-workspace-"));
    execFileSync("git", ["clone", "-q", "--depth", "1", "--branch", "copilot/fix", `file://${origin.dir}`, workspace], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });

    const env = {
      BASE_SHA: base,
      HEAD_SHA: head,
      HEAD_REF: "copilot/fix",
      AUTHOR: "Copilot",
      AUTHOR_ID: "198982749",
      INPUT_AGENT: "",
      INPUT_POLICY: "",
      SARIF_FILE: "agent-policy.sarif",
      AGENT_POLICY: join(root, "dist/cli/main.js"),
    };
    const run = runStep(stepNamed("Check the pull request"), workspace, env);
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({ "exit-code": "2" });
    expect(run.stdout).toContain("Denied: 1 finding for copilot (exit 2)");
    const sarif = JSON.parse(readFileSync(join(workspace, "agent-policy.sarif"), "utf8"));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri])).toEqual([["path-scope", "src/auth/b.ts"]]);

    const asAgent = runStep(stepNamed("Check the pull request"), workspace, { ...env, INPUT_AGENT: "jules" });
    expect(asAgent.outputs).toEqual({ "exit-code": "2" });
    expect(asAgent.stdout).toContain("jules (unregistered): PR author google-labs-jules[bot] (id 161369871)");
    expect(runStep(stepNamed("Check the pull request"), workspace, { ...env, BASE_SHA: "" }).outputs).toEqual({ "exit-code": "3" });
  });

  it("its verdict step fails on what fail-on says", () => {
    const verdict = stepNamed("Verdict");
    const status = (failOn: string, code: string) => runStep(verdict, tmpdir(), { FAIL_ON: failOn, CODE: code }).status;
    expect([status("step-up", "0"), status("step-up", "1"), status("step-up", "2"), status("step-up", "3")]).toEqual([0, 1, 1, 1]);
    expect([status("deny", "0"), status("deny", "1"), status("deny", "2"), status("deny", "3")]).toEqual([0, 0, 1, 1]);
    expect([status("never", "1"), status("never", "2"), status("never", "3"), status("sometimes", "2")]).toEqual([0, 0, 1, 1]);
  });
});
