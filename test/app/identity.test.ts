import { describe, expect, it } from "vitest";
import { commitEntry, DEVIN, examplePayload, fileEntry, workflowRunRequestedPayload } from "../fixtures/github.js";
import { visibleText } from "../report/github-markdown.js";
import { createHarness, expectEveryMockUsed, mockToken, policyContent, mockBaseline } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads } from "./mocks.js";

/** The README's own example: a local Claude matched by its trailer, with a wide scope; Devin is not declared. */
const POLICY = `version: 1
agents:
  claude-local:
    owner: "@alice"
    match: { trailers: ["Co-authored-by: Claude*"] }
    paths: { allow: ["**"] }
  aider-local:
    owner: "@bob"
    match: { catalogue: [aider] }
    paths: { allow: ["**"] }
    workflows: { allow: ["**"] }
`;
const DEVIN_NOREPLY = "158243242+devin-ai-integration[bot]@users.noreply.github.com";

function devinOpens() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...DEVIN };
  payload.sender = { ...payload.sender, ...DEVIN };
  return payload;
}

describe("text an agent writes never decides who an account is", () => {
  expectEveryMockUsed();

  it("keeps an unregistered Devin denied although its commit claims a Claude co-author with Devin's own address", async () => {
    const h = await createHarness();
    const scope = mockReads({
      policy: POLICY,
      user: DEVIN,
      headRef: "devin/ci",
      files: [fileEntry("src/app.ts")],
      commits: [commitEntry(HEAD, `Tidy up\n\nCo-authored-by: Claude <${DEVIN_NOREPLY}>`, { account: DEVIN, name: "Devin AI", email: DEVIN_NOREPLY })],
    });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", devinOpens());

    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.title).toBe("Denied: 1 finding for claude-local, devin");
    const shown = visibleText(posted.body!.output.summary);
    expect(shown).toContain("\ndevin\n—\nno\nPR author devin-ai-integration[bot] (id 158243242)");
    expect(shown).toContain("\ndeny\nunregistered-agent\ndevin\n—\n");
    expect(h.audit()[0]).toMatchObject({
      decision: "deny",
      ruleIds: ["unregistered-agent"],
      agents: [
        { key: "claude-local", declared: true, owner: "@alice" },
        { key: "devin", declared: false },
      ],
    });
  });

  it("cancels an unregistered Devin's workflow run although the head commit's git author name ends in (aider)", async () => {
    const h = await createHarness();
    const payload = workflowRunRequestedPayload();
    payload.workflow_run.actor = { ...payload.workflow_run.actor, ...DEVIN };
    payload.workflow_run.triggering_actor = { ...payload.workflow_run.triggering_actor, ...DEVIN };
    payload.workflow_run.head_commit.author = { name: "Alice Doe (aider)", email: DEVIN_NOREPLY };
    const repo = "/repos/octo-org/octo-repo";
    const scope = mockToken();
    mockBaseline(scope.get(`${repo}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), repo);
    scope.post(`${repo}/actions/runs/${payload.workflow_run.id}/cancel`).reply(202, {});
    await h.receive("workflow_run", payload);
    expect(h.audit()).toEqual([
      expect.objectContaining({ response: "cancel_workflow_run", decision: "deny", ruleIds: ["unregistered-agent"], agents: [{ key: "devin", declared: false }] }),
    ]);
  });
});
