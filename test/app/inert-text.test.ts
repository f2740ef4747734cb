import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { liveElements } from "../report/github-markdown.js";
import { createHarness, expectEveryMockUsed } from "./harness.js";
import { mockNewIncident } from "./incident-mocks.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY } from "./mocks.js";
import { AFTER, mockCommitPulls, mockPolicy, pushPayload } from "./push-mocks.js";

/** The policy's owner: the one mention the app writes on purpose. */
const OWNER = "@Codertocat/platform";

function pullRequestOpened() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

async function checkRunFor(files: Record<string, unknown>[], message = "Implement the change") {
  const h = await createHarness();
  const scope = mockReads({ files, commits: [commitEntry(HEAD, message, { account: COPILOT, ...COPILOT_COMMITTER })] });
  mockListRuns(scope);
  const posted = mockCreate(scope);
  await h.receive("pull_request", pullRequestOpened());
  return posted.body!;
}

/** Everything a reader of the check run could click, rendered as GitHub renders Markdown. */
function liveInCheckRun(body: Record<string, any>): string[] {
  const output = body.output as { title: string; summary: string; annotations: { title: string; message: string }[] };
  return [output.title, output.summary, ...output.annotations.flatMap((a) => [a.title, a.message])].flatMap(liveElements);
}

describe("event text stays inert in what the app writes", () => {
  expectEveryMockUsed();

  it("a file name cannot plant a link in the app's own check run", async () => {
    const path = "infra/[Re-run approved - click here](https:evil.example).tf";
    const body = await checkRunFor([fileEntry(path, "added")]);
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations.map((a: { path: string }) => a.path)).toEqual([path]);
    expect(body.output.summary).toContain("Re-run approved - click here");
    expect(new Set(liveInCheckRun(body))).toEqual(new Set([OWNER]));
  });

  it("a commit line cannot plant a link, a mention or a reference in the evidence", async () => {
    const message = [
      "Tidy up",
      "",
      "Generated with [Claude Code](https://evil.example/approve) <img src=x> cc @octo-lead, fixes Codertocat/Hello-World#1",
      "Co-authored-by: Claude [approved](https://evil.example) @security-team #2 <noreply@anthropic.com>",
    ].join("\n");
    const body = await checkRunFor([fileEntry("src/app.ts")], message);
    expect(body.output.summary).toContain("claude-code");
    expect(body.output.summary).toContain("evil.example");
    expect(new Set(liveInCheckRun(body))).toEqual(new Set([OWNER]));
  });

  it("a branch name cannot write a cross-reference into another repository from an incident issue", async () => {
    const h = await createHarness();
    const scope = mockPolicy(`${POLICY}protected_branches: ["release/**"]\n`);
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: "refs/heads/release/acme/payroll#1" }));
    const { title, body } = issue.body as { title: string; body: string };
    expect(title.replaceAll("\u2060", "")).toBe("Agent policy incident: push-to-protected-branch by copilot on release/acme/payroll#1");
    expect(liveElements(title)).toEqual([]);
    // Left: the hidden marker line, the owner (mentioned so GitHub notifies them) and the link to the pushed commits.
    const [marker, ...rest] = body.split("\n");
    expect(marker).toMatch(/^<!-- agent-policy-incident:push-to-protected-branch\/[0-9a-f]{24} -->$/);
    expect(liveElements(rest.join("\n")).sort()).toEqual(
      [OWNER, '<a href="https://github.com/Codertocat/Hello-World/compare/ec26c3e57ca3...6113728f27ae">', "</a>"].sort(),
    );
  });
});
