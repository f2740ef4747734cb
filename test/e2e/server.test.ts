import { createPublicKey } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { expectOneRecordPerWebhook } from "./audit-records.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "./fake-github.js";
import { AppProcess, pollUntil } from "./server-process.js";
import {
  appKeyPair,
  commitEntry,
  COPILOT,
  COPILOT_COMMITTER,
  DEVIN,
  examplePayload,
  examplePayloadWhere,
  fileEntry,
  workflowRunRequestedPayload,
  HUMAN,
  pullResponse,
} from "../fixtures/github.js";

const REPO = "Codertocat/Hello-World";
const SECRET = "e2e-webhook-secret";
const POLICY = `version: 1
mode: enforce
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { catalogue: [copilot-coding-agent] }
    branches: ["copilot/**"]
    paths:
      allow: ["src/**", "test/**", "package.json", ".github/workflows/**"]
      deny: ["src/auth/**"]
  devin:
    owner: "@octo-lead"
    match: { ids: [158243242] }
    paths: { allow: ["docs/**"] }
  claude-local:
    owner: "@octo-claude"
    match: { trailers: ["Co-authored-by: Claude*"] }
    paths: { allow: ["**"] }
step_up:
  - name: dependencies
    when: { paths: ["package.json"] }
    approvers: { users: ["octo-lead"] }
`;

type CheckRun = Record<string, any>;

/** A compare API response listing `commits` and `files`. */
function comparison(commits: Record<string, unknown>[], files: Record<string, unknown>[] = []): Record<string, unknown> {
  return { status: "ahead", ahead_by: commits.length, behind_by: 0, total_commits: commits.length, commits, files };
}

const waitFor = <T>(probe: () => T | undefined, timeoutMs = 10_000) => pollUntil(probe, timeoutMs, 25);

describe("the app's HTTP server process, end to end", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  let app: AppProcess;
  const auditFile = join(mkdtempSync(join(tmpdir(), "agent-policy-e2e-")), "audit.jsonl");

  beforeAll(async () => {
    const githubPort = await github.start();
    github.setFile(REPO, "master", ".agent-policy.yml", POLICY);
    app = new AppProcess({
      APP_ID: "123",
      PRIVATE_KEY: keys.privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      NODE_ENV: "production",
      AUDIT_FILE: auditFile,
    });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await github.stop();
  });

  function pullEvent(number: number, headSha: string, headRef: string, user: object, action = "opened") {
    const payload = examplePayload("pull_request", "opened");
    payload.action = action;
    payload.number = number;
    payload.pull_request.number = number;
    payload.pull_request.head.sha = headSha;
    payload.pull_request.head.ref = headRef;
    payload.pull_request.user = { ...payload.pull_request.user, ...user };
    payload.sender = { ...payload.sender, ...user };
    return payload;
  }

  function runsOn(sha: string): CheckRun[] {
    return github.checkRuns.filter((r) => r.head_sha === sha);
  }

  it("passes a Copilot PR that stays inside its scope", async () => {
    const sha = "a".repeat(40);
    github.setPull(REPO, 10, {
      pull: pullResponse({ number: 10, headSha: sha, headRef: "copilot/fix-typo", user: COPILOT, changedFiles: 2, commits: 1 }),
      files: [fileEntry("src/app.ts"), fileEntry("test/app.test.ts", "added")],
      commits: [commitEntry(sha, "Fix typo\n\nCo-authored-by: octo-dev <5001+octo-dev@users.noreply.github.com>", { account: COPILOT, ...COPILOT_COMMITTER })],
    });
    const res = await app.sendWebhook("pull_request", pullEvent(10, sha, "copilot/fix-typo", COPILOT), SECRET, "delivery-10");
    expect(res.status).toBe(200);
    const [run] = await waitFor(() => (runsOn(sha).length ? runsOn(sha) : undefined));
    expect(run).toMatchObject({ name: "Agent Policy", status: "completed", conclusion: "success", head_sha: sha });
    expect(run!.output.title).toBe("Compliant: copilot stayed within policy");
    expect(run!.output.summary).toContain("`.agent-policy.yml` on `master`");
  });

  it("denies a Devin PR that touches a secret file and leaves its paths, with annotations at the files", async () => {
    const sha = "b".repeat(40);
    github.setPull(REPO, 11, {
      pull: pullResponse({ number: 11, headSha: sha, headRef: "devin/cleanup", user: DEVIN, changedFiles: 3, commits: 1 }),
      files: [fileEntry("docs/readme.md"), fileEntry(".env", "added"), fileEntry("src/server.ts")],
      commits: [commitEntry(sha, "Clean up", { account: DEVIN, name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" })],
    });
    const res = await app.sendWebhook("pull_request", pullEvent(11, sha, "devin/cleanup", DEVIN), SECRET, "delivery-11");
    expect(res.status).toBe(200);
    const [run] = await waitFor(() => (runsOn(sha).length ? runsOn(sha) : undefined));
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run!.output.title).toMatch(/^Denied: \d+ findings for devin$/);
    const annotations = run!.output.annotations as { path: string; title: string; annotation_level: string }[];
    expect(annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ".env", annotation_level: "failure", title: "secret-file (deny)" }),
        expect.objectContaining({ path: "src/server.ts", annotation_level: "failure", title: "path-scope (deny)" }),
      ]),
    );
    expect(annotations.some((a) => a.path === "docs/readme.md")).toBe(false);
    expect(run!.output.summary).toContain("@octo-lead");

    const decision = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-11"));
    expect(decision.audit).toMatchObject({
      repository: REPO,
      pullRequest: 11,
      headSha: sha,
      decision: "deny",
      conclusion: "failure",
      agents: [{ key: "devin", owner: "@octo-lead", declared: true }],
      policy: { source: "repository", path: ".agent-policy.yml", ref: "master", valid: true },
    });
    expect(decision.audit.ruleIds).toEqual(expect.arrayContaining(["path-scope", "secret-file"]));
  });

  it("gives a human PR a green check, and a redelivery does not post a second result", async () => {
    const sha = "c".repeat(40);
    github.setPull(REPO, 12, {
      pull: pullResponse({ number: 12, headSha: sha, headRef: "feature", user: HUMAN, changedFiles: 1, commits: 1 }),
      files: [fileEntry("src/auth/login.ts")],
      commits: [commitEntry(sha, "Harden login", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" })],
    });
    const event = pullEvent(12, sha, "feature", HUMAN);
    expect((await app.sendWebhook("pull_request", event, SECRET, "delivery-12")).status).toBe(200);
    expect((await app.sendWebhook("pull_request", event, SECRET, "delivery-12")).status).toBe(200);
    const runs = runsOn(sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ conclusion: "success", output: { title: "Compliant: no AI assistant activity" } });
    await waitFor(() => (app.logs.filter((l) => l.audit?.deliveryId === "delivery-12").length === 2 ? true : undefined));
  });

  it("rejects a webhook with a bad signature and does nothing", async () => {
    const sha = "d".repeat(40);
    const before = github.requests.length;
    const res = await app.sendWebhook("pull_request", pullEvent(13, sha, "copilot/x", COPILOT), "not-the-secret", "delivery-13");
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(github.requests.length).toBe(before);
    expect(runsOn(sha)).toHaveLength(0);
  });

  it("survives a signed but malformed body and an event it does not handle", async () => {
    const before = github.requests.length;
    const garbage = await app.sendWebhook("pull_request", "{ not json", SECRET, "delivery-bad-json");
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    const unknown = await app.sendWebhook("star", { action: "created", repository: { full_name: REPO }, installation: { id: 1 } }, SECRET, "delivery-star");
    expect(unknown.status).toBe(200);
    expect(github.requests.length).toBe(before);
    expect((await fetch(`http://127.0.0.1:${app.port}/ping`)).status).toBe(200);
  });

  it("fails closed when GitHub cannot list the PR's files", async () => {
    const sha = "e".repeat(40);
    github.setPull(REPO, 14, {
      pull: pullResponse({ number: 14, headSha: sha, headRef: "copilot/y", user: COPILOT, changedFiles: 1, commits: 1 }),
      files: [],
      commits: [],
    });
    github.fail(`/repos/${REPO}/pulls/14/files`, 403);
    const res = await app.sendWebhook("pull_request", pullEvent(14, sha, "copilot/y", COPILOT), SECRET, "delivery-14");
    expect(res.status).toBe(200);
    const [run] = await waitFor(() => (runsOn(sha).length ? runsOn(sha) : undefined));
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Could not verify this change: failing closed" } });
    expect(run!.output.summary).toContain("HTTP 403");
  });

  it("requests step-up review, ignores an approval at an older commit, and turns green on an approval at the head", async () => {
    const sha = "f".repeat(40);
    const lead = { login: "octo-lead", id: 7001, type: "User" };
    const pull = {
      pull: pullResponse({ number: 15, headSha: sha, headRef: "copilot/bump", user: COPILOT, changedFiles: 1, commits: 1 }),
      files: [fileEntry("package.json")],
      commits: [commitEntry(sha, "Bump a dependency", { account: COPILOT, ...COPILOT_COMMITTER })],
      reviews: [] as Record<string, unknown>[],
    };
    github.setPull(REPO, 15, pull);
    await app.sendWebhook("pull_request", pullEvent(15, sha, "copilot/bump", COPILOT), SECRET, "delivery-15a");
    const [pending] = await waitFor(() => (runsOn(sha).length === 1 ? runsOn(sha) : undefined));
    expect(pending).toMatchObject({ conclusion: "action_required", actions: [{ identifier: "re-evaluate" }] });
    expect(github.requests).toContainEqual(
      expect.objectContaining({ method: "POST", path: `/repos/${REPO}/pulls/15/requested_reviewers`, body: { reviewers: ["octo-lead"], team_reviewers: [] } }),
    );

    const review = (commitId: string, id: number) => ({ id, user: lead, state: "APPROVED", commit_id: commitId, submitted_at: "2026-11-27T10:00:00Z" });
    const reviewEvent = () => {
      const payload = examplePayload("pull_request_review", "submitted");
      payload.pull_request = pullEvent(15, sha, "copilot/bump", COPILOT).pull_request;
      payload.review = { ...payload.review, user: lead, state: "approved", commit_id: sha };
      payload.sender = { ...payload.sender, ...lead };
      return payload;
    };
    pull.reviews = [review("0".repeat(40), 1)];
    await app.sendWebhook("pull_request_review", reviewEvent(), SECRET, "delivery-15b");
    const stale = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-15b"));
    expect(stale.audit).toMatchObject({ decision: "step_up", conclusion: "action_required" });

    pull.reviews = [review("0".repeat(40), 1), review(sha, 2)];
    await app.sendWebhook("pull_request_review", reviewEvent(), SECRET, "delivery-15c");
    const approved = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-15c"));
    expect(approved.audit).toMatchObject({ decision: "allow", conclusion: "success", approvals: [{ stepUp: "dependencies", approvedBy: ["octo-lead"], satisfied: true }] });
    const latest = runsOn(sha).at(-1)!;
    expect(latest).toMatchObject({ conclusion: "success", output: { title: "Approved: step-up review satisfied for copilot" } });
  });

  it("keeps a commit failed when an agent opens a second, harmless-looking pull request with the same head", async () => {
    const sha = "1".repeat(40);
    const commits = [commitEntry(sha, "Rework auth", { account: COPILOT, ...COPILOT_COMMITTER })];
    github.setPull(REPO, 20, {
      pull: pullResponse({ number: 20, headSha: sha, headRef: "copilot/auth", user: COPILOT, changedFiles: 1, commits: 1 }),
      files: [fileEntry("src/auth/login.ts")],
      commits,
    });
    await app.sendWebhook("pull_request", pullEvent(20, sha, "copilot/auth", COPILOT), SECRET, "delivery-shared-head-1");
    const [denied] = await waitFor(() => (runsOn(sha).length === 1 ? runsOn(sha) : undefined));
    expect(denied).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot" } });

    // Same head, into a branch that already holds the change: its own diff is harmless.
    github.setPull(REPO, 21, {
      pull: pullResponse({ number: 21, headSha: sha, headRef: "copilot/auth", baseRef: "copilot/staging", user: COPILOT, changedFiles: 1, commits: 1 }),
      files: [fileEntry("src/app.ts")],
      commits,
    });
    await app.sendWebhook("pull_request", pullEvent(21, sha, "copilot/auth", COPILOT), SECRET, "delivery-shared-head-2");
    const record = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-shared-head-2"));
    expect(record.audit).toMatchObject({
      pullRequest: 21,
      decision: "allow",
      conclusion: "failure",
      subjects: [
        { subject: "pr:20", conclusion: "failure" },
        { subject: "pr:21", conclusion: "success" },
      ],
    });
    const latest = runsOn(sha).at(-1)!;
    expect(latest).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot (pull request #20 with this head)" } });
  });

  it("keeps an undeclared Jules unregistered and denied although its commit names a Claude co-author with Jules's own address", async () => {
    const sha = "7".repeat(40);
    const jules = { login: "google-labs-jules[bot]", id: 161369871, type: "Bot" };
    const noreply = "161369871+google-labs-jules[bot]@users.noreply.github.com";
    github.setPull(REPO, 22, {
      pull: pullResponse({ number: 22, headSha: sha, headRef: "jules/tidy", user: jules, changedFiles: 1, commits: 1 }),
      files: [fileEntry("src/app.ts")],
      commits: [commitEntry(sha, `Tidy\n\nCo-authored-by: Claude <${noreply}>`, { account: jules, name: "Jules", email: noreply })],
    });
    expect((await app.sendWebhook("pull_request", pullEvent(22, sha, "jules/tidy", jules), SECRET, "delivery-22")).status).toBe(200);
    const [run] = await waitFor(() => (runsOn(sha).length ? runsOn(sha) : undefined));
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for claude-local, jules" } });
    expect(run!.output.summary).toContain("| deny | `unregistered-agent` | jules |");
    const record = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-22"));
    expect(record.audit).toMatchObject({ decision: "deny", ruleIds: ["unregistered-agent"], agents: [{ key: "claude-local", declared: true }, { key: "jules", declared: false }] });
  });

  it("owes a governance step-up per agent: the owner Copilot pulled in with a trailer approves only their own agent's part", async () => {
    const sha = "2".repeat(40);
    const claudeOwner = { login: "octo-claude", id: 7101, type: "User" };
    const platformMember = { login: "plat-pat", id: 7102, type: "User" };
    github.teams.set("codertocat/platform", [platformMember]);
    // ci.yml is the same at the merge base and at the head: no workflow-escalation, only the governance step-ups.
    const mergeBase = "6".repeat(40);
    const ciText = "name: CI\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
    github.comparisons.set(`${REPO}:f95f852bd8fca8fcc58a9a2d6c842781e32a215e...${sha}`, { merge_base_commit: { sha: mergeBase }, commits: [], files: [] });
    github.setFile(REPO, mergeBase, ".github/workflows/ci.yml", ciText);
    github.setFile(REPO, sha, ".github/workflows/ci.yml", ciText);
    const pull = {
      pull: pullResponse({ number: 21, headSha: sha, headRef: "copilot/ci", user: COPILOT, changedFiles: 1, commits: 1 }),
      files: [fileEntry(".github/workflows/ci.yml")],
      commits: [commitEntry(sha, "Speed up CI\n\nCo-authored-by: Claude <claude@example.com>", { account: COPILOT, ...COPILOT_COMMITTER })],
      reviews: [] as Record<string, unknown>[],
    };
    github.setPull(REPO, 21, pull);
    const approve = (user: object, id: number) => {
      pull.reviews.push({ id, user, state: "APPROVED", commit_id: sha, submitted_at: "2026-11-27T10:00:00Z" });
      const payload = examplePayload("pull_request_review", "submitted");
      payload.pull_request = pullEvent(21, sha, "copilot/ci", COPILOT).pull_request;
      payload.review = { ...payload.review, user, state: "approved", commit_id: sha };
      payload.sender = { ...payload.sender, ...user };
      return payload;
    };

    await app.sendWebhook("pull_request", pullEvent(21, sha, "copilot/ci", COPILOT), SECRET, "delivery-21a");
    const opened = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-21a"));
    expect(opened.audit).toMatchObject({ decision: "step_up", conclusion: "action_required" });
    expect(github.requests).toContainEqual(
      expect.objectContaining({ method: "POST", path: `/repos/${REPO}/pulls/21/requested_reviewers`, body: { reviewers: ["octo-claude"], team_reviewers: ["platform"] } }),
    );

    await app.sendWebhook("pull_request_review", approve(claudeOwner, 31), SECRET, "delivery-21b");
    const partly = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-21b"));
    expect(partly.audit).toMatchObject({
      decision: "step_up",
      conclusion: "action_required",
      approvals: [
        { stepUp: "governance-files (claude-local)", approvedBy: ["octo-claude"], satisfied: true },
        { stepUp: "governance-files (copilot)", approvedBy: [], satisfied: false },
      ],
    });

    await app.sendWebhook("pull_request_review", approve(platformMember, 32), SECRET, "delivery-21c");
    const approved = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-21c"));
    expect(approved.audit).toMatchObject({ decision: "allow", conclusion: "success" });
    expect(runsOn(sha).at(-1)).toMatchObject({ conclusion: "success", output: { title: "Approved: step-up review satisfied for claude-local, copilot" } });
  });

  it("opens an incident issue when Copilot pushes straight to the protected default branch", async () => {
    const push = examplePayloadWhere("push", (p) => p.ref === "refs/heads/master" && Boolean(p.installation));
    const after = "9".repeat(40);
    push.before = "8".repeat(40);
    push.after = after;
    push.created = false;
    push.pusher = { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" };
    push.sender = { ...push.sender, ...COPILOT };
    push.commits = [
      { ...push.commits[0], id: after, distinct: true, message: "Hotfix", author: { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" } },
    ];
    push.head_commit = push.commits[0];
    github.comparisons.set(`${REPO}:${push.before}...${after}`, comparison([commitEntry(after, "Hotfix", { account: COPILOT, ...COPILOT_COMMITTER })]));
    const res = await app.sendWebhook("push", push, SECRET, "delivery-16");
    expect(res.status).toBe(200);
    const issue = await waitFor(() => github.issues.find((i) => i.repo === REPO && i.title.endsWith(" by copilot on master")));
    expect(issue.labels).toEqual([{ name: "agent-policy-incident" }]);
    expect(issue.title).toContain("push-to-protected-branch");
    expect(issue.body).toContain("@Codertocat/platform");
    expect(github.labels).toEqual([expect.objectContaining({ repo: REPO, name: "agent-policy-incident" })]);
    const record = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-16"));
    expect(record.audit).toMatchObject({ response: "incident", severity: "critical", ruleIds: expect.arrayContaining(["push-to-protected-branch"]), target: { kind: "issue", id: issue.number } });
  });

  it("opens an incident for an assistant's commit pushed to another branch first and then to master (a two-step push)", async () => {
    const sha = "4".repeat(40);
    const oldMaster = "5".repeat(40);
    const message = "Refactor parser\n\nGenerated with [Claude Code](https://claude.com/claude-code)";
    const person = { name: "Octo Dev", email: "dev@example.com" };
    const commits = [commitEntry(sha, message, { account: HUMAN, ...person })];
    github.comparisons.set(`${REPO}:master...${sha}`, comparison(commits, [fileEntry("src/parser.ts")]));
    github.comparisons.set(`${REPO}:${oldMaster}...${sha}`, comparison(commits, [fileEntry("src/parser.ts")]));
    const push = (ref: string, before: string, distinct: boolean) => {
      const payload = examplePayloadWhere("push", (p) => p.ref === "refs/heads/master" && Boolean(p.installation));
      payload.ref = ref;
      payload.before = before;
      payload.after = sha;
      payload.created = before === "0".repeat(40);
      payload.pusher = { name: HUMAN.login, email: person.email };
      payload.sender = { ...payload.sender, ...HUMAN };
      payload.commits = [{ ...payload.commits[0], id: sha, distinct, message, author: { ...person, username: HUMAN.login }, committer: { ...person, username: HUMAN.login } }];
      payload.head_commit = payload.commits[0];
      return payload;
    };

    // git push origin HEAD:tmp — a new branch, judged by a check run on the commit.
    expect((await app.sendWebhook("push", push("refs/heads/tmp", "0".repeat(40), true), SECRET, "delivery-19")).status).toBe(200);
    const [run] = await waitFor(() => (runsOn(sha).length ? runsOn(sha) : undefined));
    expect(run).toMatchObject({ conclusion: "failure" });

    // git push origin HEAD:master — the commit is no longer distinct, but it is new on master.
    expect((await app.sendWebhook("push", push("refs/heads/master", oldMaster, false), SECRET, "delivery-20")).status).toBe(200);
    const issue = await waitFor(() => github.issues.find((i) => i.repo === REPO && i.title === "Agent policy incident: push-to-protected-branch by claude-code on master"));
    expect(issue.body).toContain("Commits by Claude Code (claude-code, unregistered, no owner) were pushed to the protected branch master");
    const record = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-20"));
    expect(record.audit).toMatchObject({
      ref: "refs/heads/master",
      headSha: sha,
      actor: { login: HUMAN.login, id: HUMAN.id },
      response: "incident",
      severity: "critical",
      agents: [{ key: "claude-code", declared: false }],
      target: { kind: "issue", id: issue.number },
    });
  });

  it("cancels a workflow run Copilot triggered outside its workflows.allow, and leaves a person's run alone", async () => {
    const run = (id: number, actor: object) => {
      const payload = workflowRunRequestedPayload();
      payload.repository = pullEvent(1, "a".repeat(40), "x", COPILOT).repository;
      payload.workflow_run = { ...payload.workflow_run, id, path: ".github/workflows/deploy.yml", actor, triggering_actor: actor };
      payload.sender = { ...payload.sender, ...actor };
      return payload;
    };
    expect((await app.sendWebhook("workflow_run", run(4242, COPILOT), SECRET, "delivery-17")).status).toBe(200);
    expect((await app.sendWebhook("workflow_run", run(4243, HUMAN), SECRET, "delivery-18")).status).toBe(200);
    const record = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-17"));
    expect(record.audit).toMatchObject({ response: "cancel_workflow_run", decision: "deny", ruleIds: ["workflow-not-allowed"] });
    expect(github.cancelledRuns).toEqual([4242]);
  });

  it("grants Copilot a path for one pull request from a platform member's comment, answers once, and turns the check green", async () => {
    const sha = "3".repeat(40);
    const granter = { login: "plat-grant", id: 7103, type: "User" };
    github.teams.set("codertocat/platform", [granter]);
    github.setPull(REPO, 22, {
      pull: { ...pullResponse({ number: 22, headSha: sha, headRef: "copilot/infra", user: COPILOT, changedFiles: 1, commits: 1 }), comments: 1 },
      files: [fileEntry("infra/main.tf")],
      commits: [commitEntry(sha, "Add the cluster", { account: COPILOT, ...COPILOT_COMMITTER })],
    });
    await app.sendWebhook("pull_request", pullEvent(22, sha, "copilot/infra", COPILOT), SECRET, "delivery-22a");
    await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-22a"));
    expect(runsOn(sha).at(-1)).toMatchObject({ conclusion: "failure" });

    const created = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const body = "/agent-policy grant copilot paths:infra/** for 2h because OPS-1234";
    github.comments.push({ repo: REPO, issue: 22, id: 8801, body, user: granter, created_at: created, updated_at: created });
    const payload = examplePayload("issue_comment", "created");
    payload.issue = { ...payload.issue, number: 22, state: "open", html_url: `https://github.com/${REPO}/pull/22`, pull_request: { url: `https://api.github.com/repos/${REPO}/pulls/22` } };
    payload.comment = { ...payload.comment, id: 8801, body, user: granter, created_at: created, updated_at: created };
    payload.sender = granter;
    await app.sendWebhook("issue_comment", payload, SECRET, "delivery-22b");
    const answer = await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-22b" && l.audit.response === "grant_reply"));
    const expires = new Date(Date.parse(created) + 2 * 3_600_000).toISOString();
    expect(answer.audit).toMatchObject({ grantAction: "granted", decision: "allow", grants: [{ agent: "copilot", by: "plat-grant", scope: ["paths:infra/**"], expires, reason: "OPS-1234" }] });
    expect(runsOn(sha).at(-1)).toMatchObject({ conclusion: "success" });
    expect(runsOn(sha).at(-1)!.output.summary).toContain("Task-scoped grants");
    const replies = github.comments.filter((c) => c.issue === 22 && c.id !== 8801);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain(`until **${expires.slice(0, 10)} ${expires.slice(11, 19)} UTC**`);

    // A redelivery finds the answer: no second comment, no second grant record.
    await app.sendWebhook("issue_comment", payload, SECRET, "delivery-22c");
    await waitFor(() => app.logs.find((l) => l.audit?.deliveryId === "delivery-22c"));
    expect(github.comments.filter((c) => c.issue === 22 && c.id !== 8801)).toHaveLength(1);
  });

  it("left exactly one record in the audit file per webhook that decided something, the same as logged, in one intact chain", async () => {
    const store = new FileAuditStore(auditFile);
    await expectOneRecordPerWebhook(app, store, {
      "delivery-10": 1,
      "delivery-11": 1,
      "delivery-12": 2,
      "delivery-13": 0,
      "delivery-bad-json": 0,
      "delivery-star": 0,
      "delivery-14": 1,
      "delivery-15a": 1,
      "delivery-15b": 1,
      "delivery-15c": 1,
      "delivery-16": 1,
      "delivery-17": 1,
      "delivery-18": 0,
      "delivery-22a": 1,
      "delivery-22b": 2,
      "delivery-22c": 1,
    });
  });
});
