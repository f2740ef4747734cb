import { describe, expect, it } from "vitest";
import { parseWorkflow } from "../../src/workflow/parse-workflow.js";
import { WORKFLOW_YAML_LIMITS } from "../../src/workflow/read-workflow-yaml.js";

function parse(text: string, kind: "workflow" | "action" = "workflow") {
  const result = parseWorkflow(text, kind);
  if (!result.ok) throw new Error(`expected ${kind} to parse: ${result.reason}`);
  return result.document;
}

function refusal(text: string) {
  const result = parseWorkflow(text, "workflow");
  if (result.ok) throw new Error("expected the file to be refused");
  return result;
}

describe("parseWorkflow", () => {
  it.each([
    ["a single event", "on: push\njobs: {}\n", ["push"]],
    ["a list of events", "on: [push, pull_request_target]\njobs: {}\n", ["push", "pull_request_target"]],
    ["a map of events (on is a key in YAML 1.2, not a boolean)", "on:\n  workflow_run:\n    workflows: [CI]\n  push:\n", ["workflow_run", "push"]],
    ["a quoted key", '"on": push\n', ["push"]],
  ])("reads triggers: %s", (_name, text, triggers) => {
    expect(parse(text).triggers.map((t) => t.value)).toEqual(triggers);
  });

  it("places each trigger, job and permission at its line and column", () => {
    const doc = parse(`name: x
on:
  pull_request_target:
permissions:
  contents: read
jobs:
  build:
    permissions: write-all
    runs-on: [self-hosted, linux]
`);
    expect(doc.triggers).toEqual([{ value: "pull_request_target", at: { line: 3, column: 3 } }]);
    expect(doc.permissions).toEqual({ kind: "scopes", at: { line: 4, column: 1 }, scopes: { contents: { value: "read", at: { line: 5, column: 3 } } } });
    expect(doc.jobs).toEqual([
      {
        id: "build",
        at: { line: 7, column: 3 },
        permissions: { kind: "all", level: "write", at: { line: 8, column: 5 } },
        runsOn: [
          { value: "self-hosted", at: { line: 9, column: 15 } },
          { value: "linux", at: { line: 9, column: 28 } },
        ],
      },
    ]);
  });

  it.each([
    ["read-all", "permissions: read-all", { kind: "all", level: "read" }],
    ["write-all", "permissions: write-all", { kind: "all", level: "write" }],
    ["an empty map (no permissions)", "permissions: {}", { kind: "scopes", scopes: {} }],
    ["an unknown word", "permissions: admin", { kind: "unknown", text: "admin" }],
    ["an unknown level, read as write", "permissions: { contents: owner }", { kind: "scopes", scopes: { contents: { value: "write" } } }],
  ])("reads permissions: %s", (_name, line, expected) => {
    expect(parse(`on: push\n${line}\n`).permissions).toMatchObject(expected);
  });

  it("expands runs-on: ${{ matrix.os }} to the matrix's values, include entries too", () => {
    const doc = parse(`on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-2022]
        include:
          - os: my-gpu-box
    runs-on: \${{ matrix.os }}
  other:
    runs-on: \${{ inputs.runner }}
  grouped:
    runs-on: { group: big-runners, labels: [linux] }
`);
    expect(doc.jobs.map((j) => [j.id, j.runsOn.map((l) => l.value)])).toEqual([
      ["test", ["ubuntu-latest", "windows-2022", "my-gpu-box"]],
      ["other", ["${{ inputs.runner }}"]],
      ["grouped", ["group: big-runners", "linux"]],
    ]);
    expect(doc.jobs[0]?.runsOn[2]?.at).toEqual({ line: 8, column: 17 });
  });

  it("finds every use of the secrets context, in expressions and in if:, tied to its job", () => {
    const doc = parse(`on: push
env:
  GLOBAL: \${{ secrets.Global_Token }}
jobs:
  deploy:
    if: secrets.DEPLOY_KEY != ''
    secrets: inherit
    steps:
      - name: Upload
        run: |
          echo "\${{ toJSON(secrets) }}"
          echo "\${{ secrets['npm-token'] }} \${{ SECRETS.other }}"
        env:
          KEY: \${{ secrets[format('{0}', github.ref)] }}
      - run: cat secrets.txt
`);
    expect(doc.secrets.map((s) => [s.job ?? "-", s.name, s.context, s.at.line])).toEqual([
      ["-", "GLOBAL_TOKEN", "env.GLOBAL", 3],
      ["deploy", "DEPLOY_KEY", "if", 6],
      ["deploy", "*", "steps.[Upload].run", 10],
      ["deploy", "NPM-TOKEN", "steps.[Upload].run", 10],
      ["deploy", "OTHER", "steps.[Upload].run", 10],
      ["deploy", "*", "steps.[Upload].env.KEY", 14],
    ]);
    expect(doc.jobs[0]?.inheritSecrets).toEqual({ line: 7, column: 14 });
  });

  it("lists the uses: of jobs and steps, and of a composite action's steps", () => {
    const workflow = parse("on: push\njobs:\n  a:\n    uses: ./.github/workflows/r.yml\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./tools/x\n");
    expect(workflow.uses.map((u) => [u.level, u.value])).toEqual([
      ["job", "./.github/workflows/r.yml"],
      ["step", "actions/checkout@v4"],
      ["step", "./tools/x"],
    ]);
    const action = parse("runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/inner\n", "action");
    expect(action.uses.map((u) => u.value)).toEqual(["./.github/actions/inner"]);
  });

  it("resolves anchors and aliases (GitHub supports them) at the place they are used", () => {
    const doc = parse("on: push\njobs:\n  a:\n    runs-on: &runner [self-hosted]\n  b:\n    runs-on: *runner\n");
    expect(doc.jobs.map((j) => j.runsOn.map((l) => l.value))).toEqual([["self-hosted"], ["self-hosted"]]);
  });

  it.each([
    ["a duplicate key, whose winner GitHub decides", "on: push\npermissions: read-all\npermissions: write-all\n", /the key "permissions" appears twice/],
    ["a merge key", "on: push\njobs:\n  a:\n    <<: { permissions: write-all }\n", /merge keys/],
    ["a second document", "on: push\n---\non: pull_request_target\n", /more than one YAML document/],
    ["invalid YAML", "on: [push\n", /not valid YAML/],
    ["a list at the top", "- on: push\n", /not a YAML mapping/],
    ["an empty file", "", /no YAML document|empty/],
    ["deep nesting", `on: ${"[".repeat(100)}${"]".repeat(100)}\n`, /nested more than/],
    ["an alias bomb", `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `b${i}: &b${i} [${`*${i === 0 ? "a" : `b${i - 1}`}, `.repeat(10)}]`).join("\n")}\n`, /more than 50000 values/],
    ["a file over the size limit", `on: push\n#${"x".repeat(WORKFLOW_YAML_LIMITS.maxBytes)}\n`, /larger than/],
  ])("refuses %s", (_name, text, reason) => {
    expect(refusal(text).reason).toMatch(reason);
  });

  it("says where a duplicate key is", () => {
    expect(refusal("on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n").at).toEqual({ line: 5, column: 5 });
  });
});
