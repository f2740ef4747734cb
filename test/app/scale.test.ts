import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, examplePayload, fileEntry } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads } from "./mocks.js";

const AGENTS = 100;
const FILES = 3000;

/** An organisation's policy: 100 agents, each its own owner, address and service. */
function orgPolicy(agents: number): string {
  const lines = ["version: 1", "agents:"];
  for (let i = 0; i < agents; i++) {
    lines.push(
      `  agent-${i}:`,
      `    owner: "@acme/team-${i}"`,
      `    match: { emails: ["agent-${i}@bots.example"] }`,
      `    paths: { allow: ["services/svc-${i}/**"] }`,
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("scale: a large organisation's policy on GitHub's largest pull request", () => {
  expectEveryMockUsed();

  it(`evaluates ${AGENTS} agents on a ${FILES}-file pull request and posts a bounded check run`, async () => {
    // One commit naming every agent as co-author: each is seen, and each changed every file outside its scope.
    const trailers = Array.from({ length: AGENTS }, (_, i) => `Co-authored-by: Agent ${i} <agent-${i}@bots.example>`);
    const commit = commitEntry(HEAD, ["Sweeping change", "", ...trailers].join("\n"), { account: null, name: "Octo Dev", email: "dev@example.com" });
    const files = Array.from({ length: FILES }, (_, i) => fileEntry(`src/module-${i}/file-${i}.ts`));
    const h = await createHarness();
    const scope = mockReads({ policy: orgPolicy(AGENTS), user: COPILOT, headRef: "copilot/sweep", files, commits: [commit] });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    // One write: the create, with the 50 annotations GitHub takes in one call (no updates are mocked).
    const payload = examplePayload("pull_request", "opened");
    payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
    payload.sender = { ...payload.sender, ...COPILOT };
    await h.receive("pull_request", payload);

    const body = posted.body!;
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toMatch(/^Denied: \d+ findings for /);
    expect(body.output.summary.length).toBeLessThanOrEqual(65_535);
    expect(body.output.annotations).toHaveLength(50);
    expect(body.output.summary).toMatch(/_The first 50 annotations are shown at their files; \d+ more are not \(GitHub takes 50 per check run\)\. The findings table above and the audit record list the findings\._$/);
    const [record] = h.audit();
    expect(record).toMatchObject({ decision: "deny", conclusion: "failure" });
    expect(record.agents).toHaveLength(AGENTS + 1);
    expect(record.ruleIds).toEqual(expect.arrayContaining(["path-scope", "too-large-to-verify"]));
  }, 120_000);
});
