import { describe, expect, it } from "vitest";
import { describeRule } from "../../src/engine/evaluate-policy.js";
import type { WorkflowChange, WorkflowDocument, WorkflowVersion } from "../../src/engine/workflow-document.js";
import { findEscalations } from "../../src/engine/workflow-escalations.js";
import { parseWorkflow } from "../../src/workflow/parse-workflow.js";
import { actor, devinFacts, devinPolicy, evaluate, file, makeFacts, who } from "./fixtures.js";

/** Workflow fixtures are written as YAML and parsed as the shell parses them: the engine compares the documents. */
function doc(text: string, kind: WorkflowDocument["kind"] = "workflow"): WorkflowDocument {
  const parsed = parseWorkflow(text, kind);
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.reason}`);
  return parsed.document;
}

const BASE = `name: CI
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: npm test
        env:
          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
  lint:
    runs-on: ubuntu-24.04
    steps:
      - run: npm run lint
`;

/** `kind line` per escalation, for compact tables. */
function escalations(head: string, base: string | undefined = BASE): string[] {
  return findEscalations(base === undefined ? undefined : doc(base), doc(head)).map((e) => `${e.kind} ${e.at.line}`);
}

describe("findEscalations", () => {
  it.each([
    ["write-all at the top", BASE.replace("permissions:\n  contents: read", "permissions: write-all"), ["write-all 3"]],
    ["write-all on one job", BASE.replace("  test:\n    runs-on", "  test:\n    permissions: write-all\n    runs-on"), ["write-all 7"]],
    ["a write scope added", BASE.replace("  contents: read", "  contents: read\n  pull-requests: write"), ["permission-widened 5"]],
    ["read raised to write", BASE.replace("contents: read", "contents: write"), ["permission-widened 4"]],
    ["id-token: write", BASE.replace("  contents: read", "  contents: read\n  id-token: write"), ["id-token-write 5"]],
    ["read-all over a narrower map", BASE.replace("permissions:\n  contents: read", "permissions: read-all"), ["permission-widened 3"]],
    ["an unreadable permissions value (judged as write-all)", BASE.replace("permissions:\n  contents: read", "permissions: ${{ inputs.p }}"), ["write-all 3"]],
    ["permissions removed, falling back to the repository default", BASE.replace("permissions:\n  contents: read\n", ""), ["permissions-removed 4", "permissions-removed 12"]],
    ["a pull_request_target trigger", BASE.replace("on: [push, pull_request]", "on: [push, pull_request_target]"), ["new-trigger 2"]],
    ["a workflow_run trigger", BASE.replace("on: [push, pull_request]", "on:\n  push:\n  workflow_run:\n    workflows: [CI]"), ["new-trigger 4"]],
    ["a new secret", BASE.replace("run: npm run lint", "run: npm run lint\n        env:\n          GH: ${{ secrets.ADMIN_PAT }}"), ["new-secret 19"]],
    ["a known secret in another job", BASE.replace("run: npm run lint", "run: npm run lint\n        env:\n          T: ${{ secrets.NPM_TOKEN }}"), ["new-secret 19"]],
    ["a known secret used once more in its job", BASE.replace("      - name: Test", "      - run: echo ${{ secrets.NPM_TOKEN }}\n      - name: Test"), ["new-secret 10"]],
    ["the whole secrets context", BASE.replace("run: npm run lint", "run: echo '${{ toJSON(secrets) }}'"), ["new-secret 17"]],
    ["a secret moved to workflow level, where every job sees it", BASE.replace("jobs:", "env:\n  T: ${{ secrets.NPM_TOKEN }}\njobs:"), ["new-secret 6"]],
    ["secrets: inherit", BASE.replace("  lint:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: npm run lint\n", "  call:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n"), ["secrets-inherit 16"]],
    ["a self-hosted runner", BASE.replace("runs-on: ubuntu-24.04", "runs-on: [self-hosted, linux]"), ["self-hosted-runner 15", "self-hosted-runner 15"]],
    ["a custom runner label", BASE.replace("runs-on: ubuntu-24.04", "runs-on: gpu-box"), ["self-hosted-runner 15"]],
    ["a runner group", BASE.replace("runs-on: ubuntu-24.04", "runs-on:\n      group: prod-runners"), ["self-hosted-runner 16"]],
    ["a runner from an expression the file cannot resolve", BASE.replace("runs-on: ubuntu-24.04", "runs-on: ${{ inputs.runner }}"), ["self-hosted-runner 15"]],
    ["a self-hosted label in the matrix", BASE.replace("  lint:\n    runs-on: ubuntu-24.04", "  lint:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, self-hosted]\n    runs-on: ${{ matrix.os }}"), ["self-hosted-runner 17"]],
  ])("finds %s", (_name, head, expected) => {
    expect(escalations(head)).toEqual(expected);
  });

  it.each([
    ["the same file", BASE],
    ["comments and blank lines", `# CI for the widgets\n${BASE.replace("jobs:", "\n# two jobs\njobs:")}`],
    ["jobs, steps and keys reordered", `jobs:
  lint:
    steps:
      - run: npm run lint
    runs-on: ubuntu-24.04
  test:
    steps:
      - env:
          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
        run: npm test
        name: Test
      - uses: actions/checkout@v4
    runs-on: ubuntu-latest
permissions:
  contents: read
on: [pull_request, push]
name: CI
`],
    ["narrowed permissions", BASE.replace("contents: read", "contents: none")],
    ["permissions narrowed to none", BASE.replace("permissions:\n  contents: read", "permissions: {}")],
    ["a job given narrower permissions of its own", BASE.replace("  lint:\n    runs-on", "  lint:\n    permissions: {}\n    runs-on")],
    ["a secret used one time less", BASE.replace("          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n", "")],
    ["the same secret in another step of its job", BASE.replace("        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n", "").replace("      - uses: actions/checkout@v4", "      - uses: actions/checkout@v4\n        with:\n          token: ${{ secrets.NPM_TOKEN }}")],
    ["other GitHub-hosted runners", BASE.replace("runs-on: ubuntu-24.04", "runs-on: [macos-15-xlarge]").replace("runs-on: ubuntu-latest", "runs-on: windows-11-arm")],
    ["a new ordinary trigger", BASE.replace("on: [push, pull_request]", "on: [push, pull_request, workflow_dispatch]")],
    ["a removed job", BASE.replace("  lint:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: npm run lint\n", "")],
  ])("finds nothing in %s", (_name, head) => {
    expect(escalations(head)).toEqual([]);
  });

  it("keeps what the base already had: the same self-hosted label, write-all, trigger and secrets: inherit", () => {
    const base = `on: [pull_request_target]
permissions: write-all
jobs:
  a:
    runs-on: [self-hosted, gpu]
  b:
    uses: ./.github/workflows/x.yml
    secrets: inherit
`;
    expect(escalations(base.replace("[self-hosted, gpu]", "[gpu, self-hosted]"), base)).toEqual([]);
    expect(escalations(base.replace("permissions: write-all", "permissions:\n  contents: write"), base)).toEqual([]);
  });

  it("compares a new file with an empty one: the repository default counts as read-only", () => {
    expect(escalations("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n", undefined)).toEqual([]);
    expect(escalations("on: pull_request_target\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n", undefined)).toEqual([
      "new-trigger 1",
      "permission-widened 3",
    ]);
  });

  it("explains each escalation in words", () => {
    const found = findEscalations(doc(BASE), doc(BASE.replace("  contents: read", "  contents: read\n  id-token: write")));
    expect(found).toEqual([{ kind: "id-token-write", at: { line: 5, column: 3 }, detail: "gives the workflow's jobs id-token: write, which can mint cloud credentials (OIDC)" }]);
  });
});

describe("the workflow-escalation rule", () => {
  const CI = ".github/workflows/ci.yml";
  const policy = devinPolicy({ paths: { allow: ["**"] } });
  const parsed = (text: string): WorkflowVersion => ({ status: "parsed", document: doc(text) });
  const change = (head: WorkflowVersion, base: WorkflowVersion = parsed(BASE), path = CI): WorkflowChange => ({ path, base, head });
  const widened = BASE.replace("permissions:\n  contents: read", "permissions: write-all");

  it("denies an agent's escalation with a finding at the file and line", () => {
    const d = evaluate(policy, devinFacts({ paths: [CI], workflowChanges: [change(parsed(widened))] }));
    const finding = d.findings.find((f) => f.ruleId === "workflow-escalation");
    expect(d.verdict).toBe("deny");
    expect(finding).toEqual({
      ruleId: "workflow-escalation",
      verdict: "deny",
      asset: { kind: "path", value: CI },
      agent: "devin",
      owner: "@acme/platform",
      line: 3,
      column: 1,
      message: `devin (owner @acme/platform) changed ${CI}, which now gives the workflow's jobs permissions: write-all (line 3).`,
      remedy: "Have a person make this workflow change, or take the escalation out of it; it cannot be approved away.",
    });
  });

  it("gives a human-only change no such finding", () => {
    const facts = makeFacts({ actors: [actor("pr_author", who.alice)], paths: [CI], workflowChanges: [change(parsed(widened))] });
    expect(evaluate(policy, facts).findings).toEqual([]);
  });

  it("judges action files too", () => {
    const action = "runs:\n  using: composite\n  steps:\n    - run: echo ok\n      shell: bash\n";
    const leaking = action.replace("echo ok", "echo ${{ secrets.DEPLOY_KEY }}");
    const path = ".github/actions/build/action.yml";
    const version = (text: string): WorkflowVersion => ({ status: "parsed", document: doc(text, "action") });
    const d = evaluate(policy, devinFacts({ paths: [path], workflowChanges: [change(version(leaking), version(action), path)] }));
    expect(d.findings.filter((f) => f.ruleId === "workflow-escalation").map((f) => [f.asset.value, f.line])).toEqual([[path, 4]]);
  });

  it.each([
    ["versions the shell did not give", undefined, "could not be inspected for privilege escalation (its versions were not read)"],
    ["a head version that could not be read", [change({ status: "unreadable", reason: "HTTP 502", at: undefined })], "could not be read to check it for privilege escalation: HTTP 502"],
    ["a base version that could not be read", [change(parsed(BASE), { status: "unreadable", reason: "HTTP 404" })], `could not be compared with its earlier version (${CI}): HTTP 404`],
  ])("fails closed on %s", (_name, workflowChanges, why) => {
    const facts = devinFacts({ paths: [CI], ...(workflowChanges ? { workflowChanges } : {}) });
    if (!workflowChanges) delete facts.workflowChanges;
    const finding = evaluate(policy, facts).findings.find((f) => f.ruleId === "workflow-escalation");
    expect(finding?.verdict).toBe("deny");
    expect(finding?.message).toBe(`devin (owner @acme/platform) changed ${CI}, which ${why}.`);
  });

  it("leaves removed workflows and other YAML files alone", () => {
    const d = evaluate(policy, devinFacts({ files: [file(CI, { status: "removed" }), file("config/app.yml")], workflowChanges: [] }));
    expect(d.findings.filter((f) => f.ruleId === "workflow-escalation")).toEqual([]);
  });

  it("describes its rule id", () => {
    expect(describeRule("workflow-escalation")).toContain("write-all");
  });
});
