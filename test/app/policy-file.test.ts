import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, HUMAN } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { createHarness, expectEveryMockUsed, policyContent, REPO_PATH } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY } from "./mocks.js";

/** A policy that lets Copilot change anything: what an agent would write into a file the policy links to. */
const LAX = POLICY.replace('allow: ["src/**", "test/**", "package.json"]', 'allow: ["**"]').replace('deny: ["src/auth/**"]', "deny: []");

function event(user: object) {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...user };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

const copilotCommit = () => commitEntry(HEAD, "Tidy up", { account: COPILOT, ...COPILOT_COMMITTER });
const humanCommit = () => commitEntry(HEAD, "Policy layout", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" });

async function checkRun(s: Parameters<typeof mockReads>[0], user: object, extra?: (scope: ReturnType<typeof mockReads>) => void) {
  const h = await createHarness();
  const scope = mockReads(s);
  extra?.(scope);
  mockListRuns(scope);
  const posted = mockCreate(scope);
  await h.receive("pull_request", event(user));
  return { body: posted.body!, audit: h.audit() };
}

describe("the policy file is a regular file, or nothing is judged", () => {
  expectEveryMockUsed();

  it("fails closed when the default branch's .agent-policy.yml is a symlink GitHub resolves to another file", async () => {
    // The contents API answers a link to a file with that file: its own path, its content.
    const resolved = { ...policyContent(LAX, "1111111111111111111111111111111111111111"), path: "docs/agent-policy.yml", name: "agent-policy.yml" };
    const { body, audit } = await checkRun({ policyResponse: resolved, files: [fileEntry("src/auth/login.ts")], commits: [copilotCommit()] }, COPILOT);
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe(".agent-policy.yml is invalid (1 problem): failing closed");
    expect(visibleText(body.output.summary)).toContain(
      ".agent-policy.yml on master is a symbolic link to docs/agent-policy.yml; the policy must be a regular file, not a link, so that no other path can change it",
    );
    expect(audit[0]).toMatchObject({ decision: "error", conclusion: "failure", ruleIds: ["policy-invalid"], policy: { valid: false } });
  });

  it("fails closed when it is a symlink GitHub does not resolve (to a directory, or out of the repository)", async () => {
    const link = { type: "symlink", target: "../shared/policy.yml", path: ".agent-policy.yml", name: ".agent-policy.yml", sha: "2".repeat(40), size: 20 };
    const { body } = await checkRun({ policyResponse: link, files: [fileEntry("src/app.ts")], commits: [copilotCommit()] }, COPILOT);
    expect(body.conclusion).toBe("failure");
    expect(visibleText(body.output.summary)).toContain(".agent-policy.yml on master is a symbolic link to ../shared/policy.yml; the policy must be a regular file, not a link");
  });

  it("refuses a pull request's proposed .agent-policy.yml that is a symlink, so it cannot be merged", async () => {
    const files = [fileEntry(".agent-policy.yml", "modified", { patch: "@@ -1 +1 @@\n-version: 1\n+docs/agent-policy.yml" })];
    const resolved = { ...policyContent(LAX), path: "docs/agent-policy.yml", name: "agent-policy.yml" };
    const { body } = await checkRun({ user: HUMAN, files, commits: [humanCommit()] }, HUMAN, (scope) => {
      scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: HEAD }).reply(200, resolved);
    });
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Compliant: no AI assistant activity; the proposed .agent-policy.yml is invalid (1 problem)");
    expect(visibleText(body.output.summary)).toContain("the proposed .agent-policy.yml is a symbolic link to docs/agent-policy.yml");
  });

  it("refuses a pull request that makes .agent-policy.yml a directory, and denies an agent that does", async () => {
    const files = [fileEntry(".agent-policy.yml", "removed"), fileEntry(".agent-policy.yml/rules.yml", "added")];
    const human = await checkRun({ user: HUMAN, files, commits: [humanCommit()] }, HUMAN);
    expect(human.body.conclusion).toBe("failure");
    expect(visibleText(human.body.output.summary)).toContain(".agent-policy.yml/rules.yml would make .agent-policy.yml a directory; the policy must be a regular file");

    const agent = await checkRun({ files: [fileEntry(".agent-policy.yml/rules.yml", "added")], commits: [copilotCommit()] }, COPILOT);
    expect(agent.body.conclusion).toBe("failure");
    expect(agent.audit[0].ruleIds).toContain("policy-self-edit");
  });
});
