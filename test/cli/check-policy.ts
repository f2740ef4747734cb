/** The policy the `check` tests judge with: a scoped Copilot, a local Claude recognised by its trailer, one step-up. */
export const CHECK_POLICY = `version: 1
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    branches: ["copilot/**"]
    paths:
      allow: ["src/**", "docs/**", "package.json", ".github/**"]
      deny: ["src/auth/**"]
  claude-local:
    owner: "@alice"
    match: { catalogue: [claude-code] }
    paths: { allow: ["**"] }
step_up:
  - name: dependencies
    when: { paths: ["package.json"] }
    approvers: { users: ["octo-lead"] }
`;
