import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatPolicyIssue, parsePolicy, type ParseResult } from "../../src/policy/parse-policy.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/policies/${name}`, import.meta.url), "utf8");

function policyOf(result: ParseResult) {
  if (!result.ok) throw new Error(`expected a valid policy, got:\n${result.issues.map(formatPolicyIssue).join("\n")}`);
  return result.policy;
}

describe("parsePolicy on valid policies", () => {
  it("reads the SPEC example in full, with every default filled in", () => {
    const result = parsePolicy(fixture("valid.yml"));
    expect(result).toMatchObject({ ok: true, warnings: [] });
    expect(policyOf(result)).toEqual({
      version: 1,
      mode: "enforce",
      agents: {
        copilot: {
          owner: "@acme/platform",
          match: { ids: [198982749], logins: ["copilot-swe-agent[bot]"] },
          expires: "2026-12-31",
          suspended: false,
          access: "write",
          branches: ["copilot/**"],
          paths: { allow: ["src/**", "test/**", "docs/**"], deny: ["src/auth/**"] },
          workflows: { allow: ["ci.yml"] },
          environments: { allow: ["staging"], step_up: ["production"] },
        },
        "claude-local": {
          owner: "@alice",
          match: { trailers: ["Co-authored-by: Claude*"] },
          suspended: false,
          access: "write",
          paths: { allow: ["**"], deny: [] },
          workflows: { allow: [] },
          environments: { allow: [], step_up: [] },
        },
      },
      protected_branches: ["main", "release/**"],
      secret_files: [".env", ".env.*", "**/*.pem", "**/*.key", "**/id_rsa*", "**/*.tfstate*"],
      governance_files: [],
      step_up: [
        {
          name: "dependency-changes",
          when: { paths: ["package.json", "**/package-lock.json"] },
          approvers: { teams: ["acme/security"], users: ["bob"] },
          count: 1,
        },
      ],
      repos_may_declare_agents: false,
      unscannable: "step_up",
      grants: { max_duration: "24h", by: { users: [], teams: [] } },
    });
  });

  it("fills the defaults of a minimal policy: enforce mode, no agents, no extra globs", () => {
    expect(policyOf(parsePolicy("version: 1\n"))).toEqual({
      version: 1,
      mode: "enforce",
      agents: {},
      protected_branches: [],
      secret_files: [],
      governance_files: [],
      step_up: [],
      repos_may_declare_agents: false,
      unscannable: "step_up",
      grants: { max_duration: "24h", by: { users: [], teams: [] } },
    });
  });

  it("defaults a step-up's count to 1 and missing approver lists to empty", () => {
    const policy = policyOf(
      parsePolicy("version: 1\nstep_up:\n  - name: ci\n    when: { paths: ['.github/**'] }\n    approvers: { users: [bob] }\n"),
    );
    expect(policy.step_up).toEqual([{ name: "ci", when: { paths: [".github/**"] }, approvers: { users: ["bob"], teams: [] }, count: 1 }]);
  });

  it("accepts GitHub App noreply e-mails, whose login part carries [bot]", () => {
    const email = "158243242+devin-ai-integration[bot]@users.noreply.github.com";
    const result = parsePolicy(`version: 1\nagents:\n  devin:\n    owner: "@alice"\n    match: { emails: ["${email}"] }\n`);
    expect(policyOf(result).agents["devin"]?.match.emails).toEqual([email]);
  });

  it("keeps unquoted dates as text and accepts date-times with a time zone", () => {
    const text = [
      "version: 1",
      "agents:",
      "  a: { owner: '@a', match: { ids: [1] }, expires: 2024-02-29 }",
      "  b: { owner: '@b', match: { ids: [2] }, expires: 2026-12-31T18:00:00+02:00 }",
      "  c: { owner: '@c', match: { ids: [3] }, expires: '2026-12-31' }",
    ].join("\n");
    const { agents } = policyOf(parsePolicy(text));
    expect([agents.a?.expires, agents.b?.expires, agents.c?.expires]).toEqual(["2024-02-29", "2026-12-31T18:00:00+02:00", "2026-12-31"]);
  });

  it("accepts a $schema key for editors, CRLF line endings and a byte-order mark", () => {
    const text = "\uFEFF$schema: ./policy.schema.json\r\nversion: 1\r\nmode: audit\r\n";
    expect(policyOf(parsePolicy(text))).toMatchObject({ $schema: "./policy.schema.json", mode: "audit" });
  });

  it("reads YAML 1.1 spellings as YAML 1.2 text even under a %YAML 1.1 directive", () => {
    const result = parsePolicy("%YAML 1.1\n---\nversion: 1\nagents:\n  a:\n    owner: '@a'\n    match: { ids: [1] }\n    suspended: yes\n");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map(formatPolicyIssue)).toEqual([
      '.agent-policy.yml:8:16: agents.a.suspended must be true or false, not the text "yes"',
    ]);
  });

  it("returns a warning, not an error, for an unknown YAML tag, and reads the value as text", () => {
    const result = parsePolicy("version: 1\nmode: !strict audit\n");
    expect(result).toMatchObject({ ok: true, policy: { mode: "audit" } });
    expect(result.ok && result.warnings.map(formatPolicyIssue)).toEqual([
      ".agent-policy.yml:2:7: unknown YAML tag: !strict; the value is read as plain text",
    ]);
  });
});

describe("formatPolicyIssue", () => {
  it("prints file:line:column: message, as compilers do", () => {
    expect(formatPolicyIssue({ path: ".agent-policy.yml", keyPath: ["mode"], line: 12, column: 5, message: "mode must be one of …" })).toBe(
      ".agent-policy.yml:12:5: mode must be one of …",
    );
  });

  it("reports issues against the path it was given", () => {
    const result = parsePolicy("mode: audit\n", { path: "org/.github/.agent-policy.yml" });
    expect(!result.ok && result.issues.map(formatPolicyIssue)).toEqual([
      'org/.github/.agent-policy.yml:1:1: missing required key "version" at the top level; start the file with "version: 1"',
    ]);
  });
});

describe("parsePolicy: grants", () => {
  it("reads grants.max_duration and grants.by", () => {
    const policy = policyOf(parsePolicy("version: 1\ngrants:\n  max_duration: 2d\n  by: { users: [bob], teams: [acme/sre] }\n"));
    expect(policy.grants).toEqual({ max_duration: "2d", by: { users: ["bob"], teams: ["acme/sre"] } });
  });

  it.each([
    ["grants:\n  max_duration: 4 hours\n", "grants.max_duration", 2, 17, "must be a duration"],
    ["grants:\n  max_duration: 31d\n", "grants.max_duration", 2, 17, "must be at most 30d"],
    ["grants:\n  by: { users: [\"@bob\"] }\n", "grants.by.users[0]", 2, 17, "must be a GitHub login"],
    ["grants:\n  by: { teams: [\"@acme/sre\"] }\n", "grants.by.teams[0]", 2, 17, "must be a team written org/team-slug"],
    ["grants:\n  forever: true\n", "grants", 2, 3, "forever"],
  ])("refuses %j at its line and column", (yaml, _key, line, column, message) => {
    const result = parsePolicy(`version: 1\n${yaml}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([expect.objectContaining({ line: line + 1, column, message: expect.stringContaining(message) })]);
  });
});
