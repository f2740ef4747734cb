import { createHash } from "node:crypto";
import type nock from "nock";
import { describe, expect, it } from "vitest";
import { createHarness, REPO_PATH, expectEveryMockUsed } from "./harness.js";
import { listedIssue, mockComment, mockCreateIssue, mockIssueList, mockLabel, mockNewIncident } from "./incident-mocks.js";
import { commitEntry, COPILOT } from "../fixtures/github.js";
import { AFTER, BEFORE, COPILOT_PUSHER, HUMAN_PUSHER, HUMAN_SENDER, mockCommitPulls, mockCompare, mockPolicy, payloadCommit, pushPayload, ZERO } from "./push-mocks.js";

const MASTER = "refs/heads/master";

/** The compare API's list of what the push brings onto master: one commit, by Copilot unless `author` says otherwise. */
function mockPushedCommit(scope: nock.Scope, o: { before?: string; after?: string; message?: string; author?: { account: object | null; name: string; email: string } } = {}) {
  const after = o.after ?? AFTER;
  const author = o.author ?? { account: COPILOT, ...COPILOT_PUSHER };
  mockCompare(scope, `${o.before ?? BEFORE}...${after}`, [{ commits: [commitEntry(after, o.message ?? "Implement the change", author as Parameters<typeof commitEntry>[2])], files: [] }]);
}

describe("push to a protected branch → incident", () => {
  expectEveryMockUsed();

  it("opens a labelled issue naming the agent, its owner, the commit, the rule and what to do, and audits it as critical", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockPushedCommit(scope);
    mockCommitPulls(scope, AFTER);
    const { label, issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER }));

    expect(label.body).toEqual({ name: "agent-policy-incident", color: "b60205", description: "An AI assistant did what its policy forbids (raised by agent-policy)" });
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot on master");
    expect(issue.body!.labels).toEqual(["agent-policy-incident"]);
    const lines = issue.body!.body.split("\n");
    expect(lines[0]).toMatch(/^<!-- agent-policy-incident:push-to-protected-branch\/[0-9a-f]{24} -->$/);
    expect(lines.slice(1)).toEqual([
      "### Agent policy incident: `push-to-protected-branch`",
      "",
      "copilot (owner @\u2060Codertocat/platform) pushed to the protected branch master (the default branch); assistants must go through a reviewed pull request.",
      "",
      "| | |",
      "|---|---|",
      "| **Agent** | `copilot` (declared in the policy) |",
      "| **Owner** | @Codertocat/platform |",
      "| **Where** | push to `master` at [`6113728`](https://github.com/Codertocat/Hello-World/compare/ec26c3e57ca3...6113728f27ae) |",
      "| **Rule** | `push-to-protected-branch`: An AI assistant pushes to, force-pushes to, creates or deletes a protected branch (the default branch or `protected_branches`), or its commits reach one other than by GitHub merging a pull request: incident. |",
      "| **Evidence** | `event sender Copilot (id 198982749)`; `pusher Copilot (id 198982749) as Copilot <198982749+Copilot@users.noreply.github.com>`; `commit author Copilot (id 198982749) as Copilot <198982749+Copilot@users.noreply.github.com> in 6113728`; `committer Copilot (id 198982749) as Copilot <198982749+Copilot@users.noreply.github.com> in 6113728` |",
      "| **Policy** | `.agent-policy.yml` on `master` (blob `0123456789ab`) |",
      "| **Detected** | 2026-11-27T12:00:00.000Z (delivery `delivery-1`) |",
      "",
      "#### What to do",
      "",
      "@\u2060Codertocat/platform: review the pushed commits and revert what was not reviewed; then restrict the assistant's push access with a branch ruleset so it cannot push there again.",
      "",
      "A repeat of this incident is added below as a comment. Close this issue once it is handled; a later repeat then opens a new one.",
    ]);
    expect(h.audit()).toEqual([
      expect.objectContaining({
        event: "push",
        ref: MASTER,
        headSha: AFTER,
        decision: "deny",
        response: "incident",
        severity: "critical",
        ruleIds: ["branch-scope", "push-to-protected-branch"],
        target: { kind: "issue", id: 42, url: "https://github.com/Codertocat/Hello-World/issues/42" },
        policy: expect.objectContaining({ valid: true }),
      }),
    ]);
  });

  it("comments on the open issue of a repeated incident instead of opening another", async () => {
    const first = await createHarness();
    const scope = mockPolicy();
    mockPushedCommit(scope);
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await first.receive("push", pushPayload({ ref: MASTER }), "d-1");
    const marker = issue.body!.body.split("\n")[0];

    const again = await createHarness();
    const next = "1".repeat(40);
    const second = mockPolicy();
    mockPushedCommit(second, { before: AFTER, after: next, message: "Again" });
    mockCommitPulls(second, next);
    mockIssueList(second, [[listedIssue(40, "unrelated"), listedIssue(41, `${marker}\nforged`, { login: "mallory", id: 66, type: "User" }), listedIssue(42, issue.body!.body)]]);
    const comment = mockComment(second, 42);
    await again.receive("push", pushPayload({ ref: MASTER, before: AFTER, after: next, commits: [payloadCommit(next, "Again", { ...COPILOT_PUSHER, username: "Copilot" })] }), "d-2");
    expect(comment.body!.body.split("\n")[0]).toBe(
      "**Again** at 2026-11-27T12:00:00.000Z (delivery `d-2`): copilot (owner @\u2060Codertocat/platform) pushed to the protected branch master (the default branch); assistants must go through a reviewed pull request.",
    );
    expect(comment.body!.body).toContain("- **Where:** push to `master` at [`1111111`]");
    expect(comment.body!.body).toContain("- **Owner:** @Codertocat/platform");
    expect(again.audit()[0]).toMatchObject({ response: "incident", severity: "critical", target: { kind: "issue", id: 42 } });
    expect(again.logs.find((l) => l.audit)).toMatchObject({ issueCreated: false });
  });

  it("opens its own issue when a bot planted a decoy with a marker not keyed by the app's secret", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockPushedCommit(scope);
    mockCommitPulls(scope, AFTER);
    // What anyone could compute from the rule, the agent and the branch, without the app's secret.
    const unkeyed = createHash("sha256").update(["push-to-protected-branch", "copilot", MASTER].join("\u0000")).digest("hex").slice(0, 24);
    const decoy = `<!-- agent-policy-incident:push-to-protected-branch/${unkeyed} -->`;
    mockIssueList(scope, [[listedIssue(41, decoy, { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" })]]);
    mockLabel(scope, true);
    const issue = mockCreateIssue(scope);
    await h.receive("push", pushPayload({ ref: MASTER }));
    expect(issue.body!.body.split("\n")[0]).toMatch(/^<!-- agent-policy-incident:push-to-protected-branch\/[0-9a-f]{24} -->$/);
    expect(issue.body!.body.split("\n")[0]).not.toBe(decoy);
    expect(h.audit()[0]).toMatchObject({ response: "incident", target: { kind: "issue", id: 42 } });
  });

  it("raises an incident for an agent deleting a protected branch (protected_branches glob)", async () => {
    const h = await createHarness();
    const { issue } = mockNewIncident(mockPolicy());
    await h.receive("push", pushPayload({ ref: "refs/heads/release/1.x", after: ZERO, deleted: true, commits: [] }));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot on release/1.x");
    expect(issue.body!.body).toContain("copilot (owner @\u2060Codertocat/platform) deleted the protected branch release/1.x (protected\\_branches: release/\\*)");
    expect(issue.body!.body).toContain(`push to \`release/1.x\` at [\`${BEFORE.slice(0, 7)}\`]`);
    expect(h.audit()[0]).toMatchObject({ ref: "refs/heads/release/1.x", response: "incident", severity: "critical" });
    expect(h.audit()[0].headSha).toBeUndefined();
  });

  it("still raises an incident for a catalogue assistant while the policy is unreadable", async () => {
    const h = await createHarness();
    const scope = mockPolicy(null);
    mockPushedCommit(scope);
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER, sender: { login: "copilot-swe-agent[bot]", id: 198982749, type: "Bot" } }));
    expect(issue.body!.title).toBe("Agent policy incident: push-to-protected-branch by copilot-coding-agent on master");
    expect(h.audit()[0]).toMatchObject({ response: "incident", decision: "error", policy: expect.objectContaining({ valid: false }) });
  });

  it("audits a failure to open the issue as an error and rejects the delivery, without crashing", async () => {
    const h = await createHarness();
    const scope = mockPolicy();
    mockPushedCommit(scope);
    mockCommitPulls(scope, AFTER);
    mockIssueList(scope);
    scope.get(`${REPO_PATH}/labels/agent-policy-incident`).reply(200, { name: "agent-policy-incident" });
    scope.post(`${REPO_PATH}/issues`).reply(500, { message: "Server Error" });
    const delivery = h.receive("push", pushPayload({ ref: MASTER }));
    await expect(delivery).rejects.toThrow("GitHub API failure while trying to open an incident issue (HTTP 500)");
    expect(h.audit()).toEqual([
      expect.objectContaining({
        response: "incident",
        responded: false,
        severity: "critical",
        decision: "deny",
        responseError: "could not report the incident: GitHub API failure while trying to open an incident issue (HTTP 500): Server Error",
      }),
    ]);
    expect(await h.stored()).toEqual(h.audit());
    expect(h.logs.some((l) => l.level === 50 && /redelivered/.test(l.msg))).toBe(true);
  });

  it("keeps event text in the issue literal: backticks and pipes in a commit identity make no live @mention", async () => {
    const h = await createHarness();
    const author = { ...COPILOT_PUSHER, name: "Copilot ``@victim`` x|@victim2", username: "Copilot" };
    const scope = mockPolicy();
    mockPushedCommit(scope, { author: { account: COPILOT, name: author.name, email: author.email } });
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER, commits: [payloadCommit(AFTER, "Implement the change", author)] }));
    const body: string = issue.body!.body;
    expect(body).toContain("victim2");
    // What GitHub renders as text: table rows split on unescaped pipes, then code spans (closed by a backtick run of the same length) removed.
    const text = body
      .split("\n")
      .flatMap((line) => line.split(/(?<!\\)\|/))
      .map((cellText) => cellText.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, ""))
      .join("\n");
    expect(text).not.toMatch(/@victim/);
  });

  it("keeps the issue body within GitHub's 65536 characters when a commit identity is huge", async () => {
    const h = await createHarness();
    const author = { ...COPILOT_PUSHER, name: `Copilot ${"x".repeat(70_000)}`, username: "Copilot" };
    const scope = mockPolicy();
    mockPushedCommit(scope, { author: { account: COPILOT, name: author.name, email: author.email } });
    mockCommitPulls(scope, AFTER);
    const { issue } = mockNewIncident(scope);
    await h.receive("push", pushPayload({ ref: MASTER, commits: [payloadCommit(AFTER, "Implement the change", author)] }));
    expect(issue.body!.body.length).toBeLessThanOrEqual(65_536);
    expect(h.audit()[0]).toMatchObject({ response: "incident", target: { kind: "issue", id: 42 } });
  });

  it("posts no check run for a human's push to master", async () => {
    const h = await createHarness();
    mockPushedCommit(mockPolicy(), { message: "Fix typo", author: { account: HUMAN_SENDER, ...HUMAN_PUSHER } });
    const commit = payloadCommit(AFTER, "Fix typo", { ...HUMAN_PUSHER, username: "octo-dev" });
    await h.receive("push", pushPayload({ ref: MASTER, pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] }));
    expect(h.audit()).toEqual([]);
  });
});
