import { describe, expect, it } from "vitest";
import { COPILOT, DEVIN, examplePayload, HUMAN } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed } from "./harness.js";
import { listedIssue, mockComment, mockCreateIssue, mockIssueList, mockLabel, mockNewIncident } from "./incident-mocks.js";
import { mockPolicy } from "./push-mocks.js";

const MERGE_SHA = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";

/** The real `pull_request.closed` example, merged by `merger` (or closed unmerged when null). */
function merged(merger: object | null): Record<string, any> {
  const payload = examplePayload("pull_request", "closed");
  payload.pull_request.merged = merger !== null;
  payload.pull_request.merged_by = merger;
  payload.pull_request.merged_at = merger ? "2026-11-27T11:59:00Z" : null;
  payload.sender = { ...payload.sender, ...(merger ?? HUMAN) };
  return payload;
}

/** The same pull request with auto-merge enabled by `enabler` (GitHub's examples have no such event). */
function autoMergeEnabled(enabler: object): Record<string, any> {
  const payload = examplePayload("pull_request", "closed");
  payload.action = "auto_merge_enabled";
  payload.pull_request.state = "open";
  payload.pull_request.closed_at = null;
  payload.pull_request.auto_merge = { enabled_by: enabler, merge_method: "squash", commit_title: "Update README", commit_message: "" };
  payload.sender = { ...payload.sender, ...enabler };
  return payload;
}

describe("pull_request merged or auto-merge enabled by an agent → incident", () => {
  expectEveryMockUsed();

  it("opens an incident issue when Copilot merges a pull request, and audits it as critical", async () => {
    const h = await createHarness();
    const { issue } = mockNewIncident(mockPolicy());
    await h.receive("pull_request", merged(COPILOT));
    expect(issue.body!.title).toBe("Agent policy incident: merge-by-agent by copilot on #2");
    const body: string = issue.body!.body;
    expect(body).toContain("copilot (owner @\u2060Codertocat/platform) merged pull request #\u20602 into master; only a human may merge.");
    expect(body).toContain("| **Owner** | @Codertocat/platform |");
    expect(body).toContain(`| **Where** | [pull request #2](https://github.com/Codertocat/Hello-World/pull/2) (head \`${MERGE_SHA.slice(0, 7)}\`) |`);
    expect(body).toContain("| **Evidence** | `merged by Copilot (id 198982749)` |");
    expect(body).toContain("Review the merged change and revert it if it was not approved; then remove the assistant's merge rights");
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "pull_request",
        action: "closed",
        pullRequest: 2,
        ref: "master",
        decision: "deny",
        response: "incident",
        severity: "critical",
        ruleIds: ["merge-by-agent"],
        agents: [{ key: "copilot", declared: true, owner: "@Codertocat/platform" }],
        target: { kind: "issue", id: 42, url: "https://github.com/Codertocat/Hello-World/issues/42" },
      }),
    ]);
  });

  it("opens an incident when an unregistered agent enables auto-merge, with no owner to name", async () => {
    const h = await createHarness();
    const { issue } = mockNewIncident(mockPolicy());
    await h.receive("pull_request", autoMergeEnabled(DEVIN));
    expect(issue.body!.title).toBe("Agent policy incident: merge-by-agent by devin on #2");
    expect(issue.body!.body).toContain("Devin (devin, unregistered, no owner) enabled auto-merge of pull request #\u20602 into master");
    expect(issue.body!.body).toContain("| **Agent** | `devin` (Devin, not registered) |");
    expect(issue.body!.body).toContain("| **Owner** | none: the assistant is not registered in the policy, so nobody is accountable for it yet |");
    expect(h.audit()[0]).toMatchObject({ action: "auto_merge_enabled", ruleIds: ["merge-by-agent", "unregistered-agent"], severity: "critical" });
  });

  it("does nothing but read the policy for a human's merge", async () => {
    const h = await createHarness();
    mockPolicy();
    await expect(h.receive("pull_request", merged(HUMAN))).resolves.toBeUndefined();
    expect(h.audit()).toEqual([]);
  });

  it("makes no call at all for a pull request closed without merging", async () => {
    const h = await createHarness();
    await expect(h.receive("pull_request", merged(null))).resolves.toBeUndefined();
    expect(h.audit()).toEqual([]);
  });

  it("does not create the label when it exists", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockIssueList(scope);
    mockLabel(scope, true);
    const issue = mockCreateIssue(scope);
    await h.receive("pull_request", merged(COPILOT));
    expect(issue.body!.labels).toEqual(["agent-policy-incident"]);
  });

  it("pages through the open incident issues to find the repeated incident, and comments there", async () => {
    const first = await createHarness();
    const { issue } = mockNewIncident(mockPolicy());
    await first.receive("pull_request", merged(COPILOT), "d-1");

    const again = await createHarness();
    const scope = mockPolicy();
    const noise = Array.from({ length: 100 }, (_, i) => listedIssue(100 + i, "<!-- agent-policy-incident:merge-by-agent/000000000000000000000000 -->"));
    mockIssueList(scope, [noise, [listedIssue(42, issue.body!.body)]]);
    const comment = mockComment(scope, 42);
    await again.receive("pull_request", autoMergeEnabled(COPILOT), "d-2");
    expect(comment.body!.body).toMatch(/^\*\*Again\*\* at .*: copilot \(owner @\u2060Codertocat\/platform\) enabled auto-merge of pull request #\u20602/);
    expect(again.logs.find((l) => l.audit)).toMatchObject({ issueCreated: false, audit: { target: { kind: "issue", id: 42 } } });
  });

  it("audits a merge it cannot judge while the policy is invalid", async () => {
    const h = await createHarness();
    mockPolicy("version: 1\nagentz: {}\n");
    await h.receive("pull_request", merged(HUMAN));
    expect(h.audit()).toEqual([
      expect.objectContaining({
        decision: "error",
        response: "none",
        ruleIds: ["policy-invalid"],
        error: ".agent-policy.yml is invalid, so a declared assistant could not be recognised",
      }),
    ]);
  });
});
