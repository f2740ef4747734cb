import { describe, expect, it } from "vitest";
import type { RuleId } from "../../src/engine/types.js";
import { actor, devinFacts, devinPolicy, evaluate, file, makeFacts, makePolicy, renamed, summarize, who } from "./fixtures.js";

const only = (rule: RuleId, lines: string[]) => lines.filter((l) => l.startsWith(`${rule} `));
const everything = makePolicy({
  agents: { devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["**"] } } },
});

describe("unsafe-path", () => {
  it.each([
    ["src/../.env", ["unsafe-path deny src/../.env devin"]],
    ["/src/app.ts", ["unsafe-path deny /src/app.ts devin"]],
    ["src\\app.ts", ["unsafe-path deny src\\app.ts devin"]],
    ["src/app.ts", []],
    [".github/workflows/ci.yml", []],
  ])("%j", (path, expected) => {
    expect(only("unsafe-path", summarize(evaluate(everything, devinFacts({ paths: [path] }))))).toEqual(expected);
  });

  it("judges the normalised path with every other rule: src/../.env is a secret file outside src/**", () => {
    const decision = evaluate(devinPolicy(), devinFacts({ paths: ["src/../.env"] }));
    expect(summarize(decision)).toEqual([
      "unsafe-path deny src/../.env devin",
      "secret-file deny .env devin",
      "path-scope deny .env devin",
    ]);
    expect(decision.findings[0]?.message).toBe(
      `devin (owner @acme/platform) changed "src/../.env", an unsafe path (it contains a '..' segment); it is also judged as ".env".`,
    );
  });
});

describe("secret-file", () => {
  it.each([
    [".env", true],
    [".ENV", true],
    ["config/.env.production", true],
    ["deploy/server.PEM", true],
    ["home/.ssh/id_ed25519.pub", true],
    ["infra/terraform.tfstate.backup", true],
    ["pkg/.npmrc", true],
    [".aws/credentials", true],
    [".env.example", false],
    ["app/.env.sample", false],
    [".ENV.EXAMPLE", true],
    ["src/env.ts", false],
    ["docs/keys.md", false],
  ])("%s → %s", (path, secret) => {
    const lines = only("secret-file", summarize(evaluate(everything, devinFacts({ paths: [path] }))));
    expect(lines).toEqual(secret ? [`secret-file deny ${path} devin`] : []);
  });

  it.each(["added", "modified", "removed"] as const)("fires for a %s secret file", (status) => {
    const facts = devinFacts({ files: [file("certs/server.key", { status })] });
    expect(only("secret-file", summarize(evaluate(everything, facts)))).toEqual(["secret-file deny certs/server.key devin"]);
  });

  it("fires on the old side of a rename", () => {
    const decision = evaluate(everything, devinFacts({ files: [renamed(".env", "notes.txt")] }));
    expect(decision.findings).toEqual([
      expect.objectContaining({
        ruleId: "secret-file",
        asset: { kind: "path", value: ".env", previousPath: "notes.txt" },
        message: "devin (owner @acme/platform) renamed .env to notes.txt, and .env is a secret file (matches .env).",
      }),
    ]);
  });

  it("adds policy.secret_files, which the placeholder exceptions do not override", () => {
    const policy = makePolicy({ ...everything, secret_files: ["config/master.txt", "**/.env.example"] });
    const facts = devinFacts({ paths: ["config/MASTER.txt", ".env.example"] });
    expect(only("secret-file", summarize(evaluate(policy, facts)))).toEqual([
      "secret-file deny .env.example devin",
      "secret-file deny config/MASTER.txt devin",
    ]);
  });

  it("does not fire for a human", () => {
    expect(evaluate(everything, makeFacts({ actors: [actor("pr_author", who.alice)], paths: [".env"] })).findings).toEqual([]);
  });

  it("matches the directories secret files live in: a symlink in place of .aws redirects .aws/credentials", () => {
    const policy = makePolicy({ ...everything, secret_files: ["config/prod/**"] });
    const facts = devinFacts({ paths: [".aws", "home/.docker", "config", "config/prod", "config/dev/x"] });
    expect(only("secret-file", summarize(evaluate(policy, facts)))).toEqual([
      "secret-file deny .aws devin",
      "secret-file deny config devin",
      "secret-file deny config/prod devin",
      "secret-file deny home/.docker devin",
    ]);
    expect(evaluate(policy, devinFacts({ paths: [".aws"] })).findings.find((f) => f.ruleId === "secret-file")?.message).toBe(
      "devin (owner @acme/platform) changed .aws, which is where secret files live (**/.aws/credentials).",
    );
  });
});

describe("path-scope", () => {
  it.each([
    ["inside allow", ["src/app.ts"], []],
    ["outside allow", ["lib/app.ts"], ["path-scope deny lib/app.ts devin"]],
    ["inside deny", ["src/auth/login.ts"], ["path-scope deny src/auth/login.ts devin"]],
    ["inside deny, other case", ["src/AUTH/login.ts"], ["path-scope deny src/AUTH/login.ts devin"]],
    ["allow is case-sensitive", ["SRC/app.ts"], ["path-scope deny SRC/app.ts devin"]],
  ])("%s", (_name, paths, expected) => {
    expect(only("path-scope", summarize(evaluate(devinPolicy(), devinFacts({ paths }))))).toEqual(expected);
  });

  it("checks both sides of a rename", () => {
    const facts = devinFacts({ files: [renamed("src/auth/token.ts", "src/token.ts")] });
    expect(only("path-scope", summarize(evaluate(devinPolicy(), facts)))).toEqual(["path-scope deny src/auth/token.ts devin"]);
  });

  it("explains an allow miss, a deny hit and an empty allow list", () => {
    const messages = (policy = devinPolicy(), paths = ["lib/a.ts", "src/auth/login.ts"]) =>
      evaluate(policy, devinFacts({ paths })).findings.map((f) => f.message);
    expect(messages()).toEqual([
      "devin (owner @acme/platform) changed lib/a.ts, which is outside its allowed paths (src/**, test/**).",
      "devin (owner @acme/platform) changed src/auth/login.ts, which matches its denied paths (src/auth/**).",
    ]);
    expect(messages(devinPolicy({ paths: { allow: [] } }), ["src/a.ts"])).toEqual([
      "devin (owner @acme/platform) changed src/a.ts, which is not allowed: its policy allows no paths (paths.allow is empty).",
    ]);
  });

  it("treats dot-files as ordinary paths: `**` allows .github/workflows/x.yml (governance still applies)", () => {
    expect(summarize(evaluate(everything, devinFacts({ paths: [".github/workflows/x.yml"] })))).toEqual([
      "governance-file step_up .github/workflows/x.yml devin",
    ]);
  });

  it("does not apply to unregistered agents", () => {
    const facts = makeFacts({ actors: [actor("pr_author", who.jules)], paths: ["lib/x.ts"] });
    expect(only("path-scope", summarize(evaluate(devinPolicy(), facts)))).toEqual([]);
  });
});

describe("governance-file", () => {
  it.each([
    [".github/workflows/ci.yml", true],
    [".GitHub/Workflows/ci.yml", true],
    [".github/actions/setup/action.yml", true],
    ["CODEOWNERS", true],
    ["packages/web/AGENTS.md", true],
    ["CLAUDE.md", true],
    [".mcp.json", true],
    [".cursor/rules/x.mdc", true],
    [".github/copilot-instructions.md", true],
    // Files that steer assistants and editors.
    [".vscode/settings.json", true],
    [".vscode/tasks.json", true],
    [".vscode/mcp.json", true],
    [".github/agents/reviewer.md", true],
    [".github/hooks/pre-tool.json", true],
    [".github/copilot-setup-steps.yml", true],
    ["opencode.json", true],
    [".aider.conf.yml", true],
    ["CONVENTIONS.md", true],
    [".claude/approvals.yml", true],
    ["GEMINI.md", true],
    [".windsurfrules", true],
    [".clinerules", true],
    // The directories themselves: a file or symlink in their place redirects everything below.
    [".github", true],
    [".github/workflows", true],
    [".GitHub/Workflows", true],
    [".claude", true],
    [".cursor", true],
    [".vscode", true],
    [".github/hooks", true],
    ["src/workflows/ci.yml", false],
    ["docs/agents.md.bak", false],
    ["src", false],
    [".githubx", false],
    [".vscode/extensions.json", false],
  ])("%s → %s", (path, governed) => {
    const lines = only("governance-file", summarize(evaluate(everything, devinFacts({ paths: [path] }))));
    expect(lines).toEqual(governed ? [`governance-file step_up ${path} devin`] : []);
  });

  it("asks the agent's owner and adds policy.governance_files", () => {
    const policy = makePolicy({ ...everything, governance_files: ["Makefile"] });
    const decision = evaluate(policy, devinFacts({ paths: ["Makefile", "CODEOWNERS"] }));
    expect(decision.verdict).toBe("step_up");
    expect(decision.stepUps).toEqual([{ name: "governance-files (devin)", users: [], teams: ["acme/platform"], count: 1, paths: ["CODEOWNERS", "Makefile"] }]);
    expect(decision.findings.map((f) => f.stepUp)).toEqual(["governance-files (devin)", "governance-files (devin)"]);
    expect(decision.findings[0]?.message).toBe(
      "devin (owner @acme/platform) changed CODEOWNERS, which is a governance file (matches CODEOWNERS) and needs approval from its owner @acme/platform.",
    );
  });

  it("says when the path is a directory that governance files live in", () => {
    const decision = evaluate(everything, devinFacts({ files: [file(".github/workflows", { status: "added" })] }));
    expect(decision.findings.map((f) => f.message)).toEqual([
      "devin (owner @acme/platform) added .github/workflows, which is where governance files live (.github/workflows/**) and needs approval from its owner @acme/platform.",
    ]);
  });

  it("matches the directories of policy.governance_files too, but never a bare wildcard directory", () => {
    const policy = makePolicy({ ...everything, governance_files: ["deploy/prod/**", "*/Jenkinsfile"] });
    const governed = (path: string) => only("governance-file", summarize(evaluate(policy, devinFacts({ paths: [path] })))).length > 0;
    expect(["deploy", "deploy/prod", "svc/Jenkinsfile"].map(governed)).toEqual([true, true, true]);
    expect(["README.md", "deploy/dev"].map(governed)).toEqual([false, false]);
  });

  it("a user owner becomes a user approver", () => {
    const policy = makePolicy({ agents: { devin: { owner: "@alice", match: { ids: [158243242] }, paths: { allow: ["**"] } } } });
    expect(evaluate(policy, devinFacts({ paths: [".mcp.json"] })).stepUps).toEqual([
      { name: "governance-files (devin)", users: ["alice"], teams: [], count: 1, paths: [".mcp.json"] },
    ]);
  });
});

describe("step-up", () => {
  const policy = makePolicy({
    ...everything,
    step_up: [
      { name: "dependency-changes", when: { paths: ["package.json", "**/package-lock.json"] }, approvers: { teams: ["acme/security"], users: ["bob"] }, count: 2 },
      { name: "docs", when: { paths: ["docs/**"] }, approvers: { users: ["carol"] } },
    ],
  });

  it.each([
    [["package.json"], ["step-up step_up package.json devin"]],
    [["web/PACKAGE-LOCK.json"], ["step-up step_up web/PACKAGE-LOCK.json devin"]],
    [["src/app.ts"], []],
  ])("%j", (paths, expected) => {
    expect(only("step-up", summarize(evaluate(policy, devinFacts({ paths }))))).toEqual(expected);
  });

  it("groups matched paths per rule, with that rule's approvers and count", () => {
    const decision = evaluate(policy, devinFacts({ paths: ["web/package-lock.json", "docs/a.md", "package.json"] }));
    expect(decision.verdict).toBe("step_up");
    expect(decision.stepUps).toEqual([
      { name: "dependency-changes", users: ["bob"], teams: ["acme/security"], count: 2, paths: ["package.json", "web/package-lock.json"] },
      { name: "docs", users: ["carol"], teams: [], count: 1, paths: ["docs/a.md"] },
    ]);
    expect(decision.findings.find((f) => f.asset.value === "package.json")?.message).toBe(
      'devin (owner @acme/platform) changed package.json, which falls under step-up "dependency-changes" (matches package.json) and needs 2 approvals from @bob, @acme/security.',
    );
  });

  it("a denied path keeps its step-up finding, but the deny decides the verdict", () => {
    const scoped = makePolicy({ ...policy, agents: { devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["src/**"] } } } });
    const decision = evaluate(scoped, devinFacts({ paths: ["package.json"] }));
    expect(decision.verdict).toBe("deny");
    expect(summarize(decision)).toEqual(["path-scope deny package.json devin", "step-up step_up package.json devin"]);
    expect(decision.stepUps.map((s) => s.name)).toEqual(["dependency-changes"]);
  });
});
