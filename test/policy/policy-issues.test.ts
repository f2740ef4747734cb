import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatPolicyIssue, parsePolicy, type PolicyIssue } from "../../src/policy/parse-policy.js";

function issuesOf(text: string): PolicyIssue[] {
  const result = parsePolicy(text);
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.issues;
}

const lines = (...rows: string[]) => `${rows.join("\n")}\n`;

const AGENT = ["agents:", "  copilot:", "    owner: '@acme/platform'", "    match: { ids: [198982749] }"];
const AGENT_KEYS = "owner, description, match, expires, suspended, access, repos, branches, paths, workflows, environments";

/** Each case: a policy, and the one issue it must give — `file:line:column: message` and its key path. */
const cases: Array<{ name: string; text: string; expected: string; keyPath: (string | number)[] }> = [
  {
    name: "unknown top-level key, pointing at the key",
    text: lines("version: 1", "agentz: {}"),
    expected:
      '2:1: unknown key "agentz" at the top level; did you mean "agents"? (allowed: $schema, version, mode, agents, protected_branches, secret_files, governance_files, step_up, repos_may_declare_agents, unscannable, grants)',
    keyPath: ["agentz"],
  },
  {
    name: "an unscannable setting that is neither step_up nor deny",
    text: lines("version: 1", "mode: enforce", "unscannable: allow"),
    expected: '3:14: unscannable must be one of "step_up", "deny", not "allow"',
    keyPath: ["unscannable"],
  },
  {
    name: "unknown key nested in an agent",
    text: lines("version: 1", ...AGENT, "    pathz: { allow: ['src/**'] }"),
    expected: `6:5: unknown key "pathz" in agents.copilot; did you mean "paths"? (allowed: ${AGENT_KEYS})`,
    keyPath: ["agents", "copilot", "pathz"],
  },
  {
    name: "wrong type, pointing at the value",
    text: lines("version: 1", "agents:", "  copilot:", "    owner: 42", "    match: { ids: [1] }"),
    expected: "4:12: agents.copilot.owner must be text, not the number 42",
    keyPath: ["agents", "copilot", "owner"],
  },
  {
    name: "missing owner in a block mapping, pointing at the agent's key",
    text: lines("version: 1", "agents:", "  copilot:", "    match: { ids: [1] }"),
    expected: '3:3: missing required key "owner" in agents.copilot',
    keyPath: ["agents", "copilot", "owner"],
  },
  {
    name: "missing owner in a flow mapping, pointing at its brace",
    text: lines("version: 1", "agents:", "  copilot: { match: { ids: [1] } }"),
    expected: '3:12: missing required key "owner" in agents.copilot',
    keyPath: ["agents", "copilot", "owner"],
  },
  {
    name: "missing version",
    text: lines("# policy", "mode: audit"),
    expected: '2:1: missing required key "version" at the top level; start the file with "version: 1"',
    keyPath: ["version"],
  },
  {
    name: "wrong version",
    text: lines("version: 2"),
    expected: "1:10: version must be 1, not 2",
    keyPath: ["version"],
  },
  {
    name: "a date that is not a date",
    text: lines("version: 1", ...AGENT, "    expires: tomorrow"),
    expected:
      "6:14: agents.copilot.expires must be a date (YYYY-MM-DD, e.g. 2026-12-31) or an ISO 8601 date-time with a time zone (2026-12-31T18:00:00Z)",
    keyPath: ["agents", "copilot", "expires"],
  },
  {
    name: "an impossible calendar date",
    text: lines("version: 1", ...AGENT, "    expires: 2026-02-30"),
    expected: '6:14: agents.copilot.expires is not a real calendar date: "2026-02-30"',
    keyPath: ["agents", "copilot", "expires"],
  },
  {
    name: "29 February outside a leap year",
    text: lines("version: 1", ...AGENT, "    expires: 2025-02-29T10:00:00Z"),
    expected: '6:14: agents.copilot.expires is not a real calendar date: "2025-02-29T10:00:00Z"',
    keyPath: ["agents", "copilot", "expires"],
  },
  {
    name: "a bad glob, naming its line and entry",
    text: lines("version: 1", "secret_files:", "  - .env", "  - /etc/passwd"),
    expected: `4:5: secret_files[1] is not a usable glob (glob must be relative to the repository root (no leading '/')): "/etc/passwd"`,
    keyPath: ["secret_files", 1],
  },
  {
    name: "a duplicate key, pointing at the second one",
    text: lines("version: 1", "agents:", "  copilot:", "    owner: '@a'", "    match: { ids: [1] }", "    owner: '@b'"),
    expected: '6:5: duplicate key "owner" in agents.copilot; a key may appear only once in a mapping',
    keyPath: ["agents", "copilot", "owner"],
  },
  {
    name: "a YAML syntax error",
    text: lines("version: 1", "protected_branches: [main, release/**", "mode: audit"),
    expected: "3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    keyPath: ["mode"],
  },
  {
    name: "empty approvers in a step-up",
    text: lines("version: 1", "step_up:", "  - name: deps", "    when: { paths: [package.json] }", "    approvers: {}"),
    expected: "5:16: step_up[0].approvers must list at least one user or team",
    keyPath: ["step_up", 0, "approvers"],
  },
  {
    name: "approvers whose lists are all empty, pointing at the key",
    text: lines("version: 1", "step_up:", "  - name: deps", "    when: { paths: [package.json] }", "    approvers:", "      users: []"),
    expected: "5:5: step_up[0].approvers must list at least one user or team",
    keyPath: ["step_up", 0, "approvers"],
  },
  {
    name: "duplicate step-up names, pointing at the second",
    text: lines(
      "version: 1",
      "step_up:",
      "  - { name: deps, when: { paths: [package.json] }, approvers: { users: [bob] } }",
      "  - { name: deps, when: { paths: [yarn.lock] }, approvers: { users: [bob] } }",
    ),
    expected: '4:13: step_up[1].name repeats the step-up name "deps"; names must be unique',
    keyPath: ["step_up", 1, "name"],
  },
  {
    name: "an agent name that is not lower-case, pointing at the name",
    text: lines("version: 1", "agents:", "  Copilot:", "    owner: '@a'", "    match: { ids: [1] }"),
    expected: `3:3: key "Copilot" in agents must be an agent name: lower-case letters, digits, '-' and '_', at most 63 characters`,
    keyPath: ["agents", "Copilot"],
  },
  {
    name: "an owner left empty",
    text: lines("version: 1", "agents:", "  copilot:", "    owner:", "    match: { ids: [1] }"),
    expected: "4:5: agents.copilot.owner is empty but must be text",
    keyPath: ["agents", "copilot", "owner"],
  },
  {
    name: "a team owner whose slug is '..' (the API would resolve it to the organisation's members)",
    text: lines("version: 1", "agents:", "  copilot:", "    owner: '@acme/..'", "    match: { ids: [1] }"),
    expected: "4:12: agents.copilot.owner must be a GitHub user (@alice) or team (@org/team)",
    keyPath: ["agents", "copilot", "owner"],
  },
  {
    name: "a step-up team whose slug is '..'",
    text: lines("version: 1", "step_up:", "  - name: deps", "    when: { paths: [package.json] }", "    approvers: { teams: [acme/..] }"),
    expected: "5:26: step_up[0].approvers.teams[0] must be a team written org/team-slug (no @)",
    keyPath: ["step_up", 0, "approvers", "teams", 0],
  },
  {
    name: "the shared login Copilot without ids (it would also match the Copilot reviewer)",
    text: lines("version: 1", "agents:", "  copilot:", "    owner: '@a'", "    match: { logins: [Copilot] }"),
    expected:
      '5:23: agents.copilot.match.logins[0] names "Copilot" without ids, but that login is shared by the Copilot coding agent (id 198982749) and the Copilot reviewer (id 175728472); list match.ids or use match.catalogue',
    keyPath: ["agents", "copilot", "match", "logins", 0],
  },
  {
    name: "an agent that matches no identity",
    text: lines("version: 1", "agents:", "  copilot:", "    owner: '@a'", "    match:", "      ids: []"),
    expected: "5:5: agents.copilot.match must name at least one of catalogue, ids, logins, emails or trailers",
    keyPath: ["agents", "copilot", "match"],
  },
];

describe("parsePolicy places each problem at its line and column", () => {
  it.each(cases)("$name", ({ text, expected, keyPath }) => {
    const issues = issuesOf(text);
    expect(issues.map(formatPolicyIssue)).toEqual([`.agent-policy.yml:${expected}`]);
    expect(issues[0]?.keyPath).toEqual(keyPath);
  });

  it("spans the offending value, for annotations", () => {
    const [issue] = issuesOf(lines("version: 1", "mode: enforse"));
    expect(issue).toEqual({
      path: ".agent-policy.yml",
      keyPath: ["mode"],
      line: 2,
      column: 7,
      endLine: 2,
      endColumn: 14,
      message: 'mode must be one of "enforce", "audit", not "enforse"',
    });
  });

  it("reports every problem of a broken policy, in file order", () => {
    const text = readFileSync(new URL("../fixtures/policies/invalid.yml", import.meta.url), "utf8");
    expect(issuesOf(text).map(formatPolicyIssue)).toEqual([
      '.agent-policy.yml:3:7: mode must be one of "enforce", "audit", not "enforse"',
      '.agent-policy.yml:9:14: agents.copilot.expires is not a real calendar date: "2026-02-30"',
      `.agent-policy.yml:10:5: unknown key "pathz" in agents.copilot; did you mean "paths"? (allowed: ${AGENT_KEYS})`,
      '.agent-policy.yml:12:3: missing required key "owner" in agents.devin',
      '.agent-policy.yml:14:16: agents.devin.suspended must be true or false, not the text "no"',
      '.agent-policy.yml:15:16: agents.devin.branches[0] is not a usable glob (glob has more than 4 brace sets): "devin/{a,b}{c,d}{e,f}{g,h}{i,j}"',
      ".agent-policy.yml:20:16: step_up[0].approvers must list at least one user or team",
    ]);
  });

  it("shows at most 50 problems and says how many more there are", () => {
    const text = lines("version: 1", ...Array.from({ length: 60 }, (_, i) => `unknown_${i}: x`));
    const issues = issuesOf(text);
    expect(issues).toHaveLength(51);
    expect(issues[49]).toMatchObject({ line: 51, keyPath: ["unknown_49"] });
    expect(issues[50]).toMatchObject({ line: 52, message: "10 more problems are not shown; fix the ones above first" });
  });
});
