import { describe, expect, it } from "vitest";
import { formatPolicyIssue, parsePolicy } from "../../src/policy/parse-policy.js";

/** One organisation agent as maintainers write them: every key a grant has. */
function agent(i: number): string {
  return [
    `  agent-${i}:`,
    `    owner: "@acme/team-${i % 40}"`,
    `    description: "Service bot ${i} for the payments platform"`,
    `    match: { logins: ["svc-bot-${i}[bot]"], ids: [${100_000 + i}], emails: ["bot-${i}@acme.example"] }`,
    `    expires: 2027-06-30`,
    `    branches: ["bots/${i}/**", "agent-${i}/*"]`,
    `    paths:`,
    `      allow: ["services/svc-${i}/**", "docs/svc-${i}/**", "test/svc-${i}/**"]`,
    `      deny: ["services/svc-${i}/secrets/**"]`,
    `    workflows: { allow: ["ci.yml", "lint.yml"] }`,
    `    environments: { allow: [staging], step_up: [production] }`,
  ].join("\n");
}

function orgPolicy(agents: number): string {
  return ["version: 1", "agents:", ...Array.from({ length: agents }, (_, i) => agent(i)), 'protected_branches: ["main", "release/**"]', ""].join("\n");
}

describe("policies of real organisations fit the budget", () => {
  it.each([300, 500])("parses a %i-agent policy", (count) => {
    const result = parsePolicy(orgPolicy(count));
    if (!result.ok) throw new Error(result.issues.map(formatPolicyIssue).join("\n"));
    expect(Object.keys(result.policy.agents)).toHaveLength(count);
    expect(result.policy.agents[`agent-${count - 1}`]?.paths.allow).toEqual([
      `services/svc-${count - 1}/**`,
      `docs/svc-${count - 1}/**`,
      `test/svc-${count - 1}/**`,
    ]);
  });

  it("still refuses dense filler after a large real policy, where the filler starts", () => {
    const real = orgPolicy(300);
    const result = parsePolicy(`${real}secret_files: [${":,".repeat(30_000)}x]\n`);
    if (result.ok) throw new Error("expected the dense filler to be refused");
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.message).toMatch(/^the policy file is too large to check: more than \d+ YAML tokens in its first \d+ bytes/);
    expect(result.issues[0]!.line).toBe(real.split("\n").length);
  });
});
