import { createPublicKey } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { appKeyPair, commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, pullResponse } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { AppProcess, pollUntil } from "./server-process.js";

const REPO = "Codertocat/Hello-World";
const SECRET = "e2e-grant-restart-secret";
const POLICY = `version: 1
mode: enforce
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { catalogue: [copilot-coding-agent] }
    branches: ["copilot/**"]
    paths: { allow: ["src/**"] }
`;

const waitFor = <T>(probe: () => T | undefined, timeoutMs = 20_000) => pollUntil(probe, timeoutMs, 50);

describe("a grant that ends while the app is down, end to end through the real server", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  const auditFile = join(mkdtempSync(join(tmpdir(), "agent-policy-e2e-grant-restart-")), "audit.jsonl");
  const started: AppProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map((a) => a.stop()));
    await github.stop();
  });

  const launch = async (env: Record<string, string>) => {
    const app = new AppProcess(env);
    started.push(app);
    await app.start();
    return app;
  };

  it("the restarted server's grant sweep judges the pull request again: its check turns red and the expiry is recorded once", async () => {
    const githubPort = await github.start();
    github.setFile(REPO, "master", ".agent-policy.yml", POLICY);
    const env = {
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
    };
    const sha = "4".repeat(40);
    const granter = { login: "plat-restart", id: 7104, type: "User" };
    github.teams.set("codertocat/platform", [granter]);
    github.setPull(REPO, 23, {
      pull: { ...pullResponse({ number: 23, headSha: sha, headRef: "copilot/infra", user: COPILOT, changedFiles: 1, commits: 1 }), comments: 1 },
      files: [fileEntry("infra/main.tf")],
      commits: [commitEntry(sha, "Add the cluster", { account: COPILOT, ...COPILOT_COMMITTER })],
    });

    // The first process answers a one-minute grant given 45 seconds ago: it ends about 15 seconds from now.
    const first = await launch(env);
    const created = new Date(Date.now() - 45_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const ends = Date.parse(created) + 60_000;
    const body = "/agent-policy grant copilot paths:infra/** for 1m because OPS-77";
    github.comments.push({ repo: REPO, issue: 23, id: 8901, body, user: granter, created_at: created, updated_at: created });
    const payload = examplePayload("issue_comment", "created");
    payload.issue = { ...payload.issue, number: 23, state: "open", html_url: `https://github.com/${REPO}/pull/23`, pull_request: { url: `https://api.github.com/repos/${REPO}/pulls/23` } };
    payload.comment = { ...payload.comment, id: 8901, body, user: granter, created_at: created, updated_at: created };
    payload.sender = granter;
    await first.sendWebhook("issue_comment", payload, SECRET, "delivery-restart-grant");
    await waitFor(() => first.logs.find((l) => l.audit?.deliveryId === "delivery-restart-grant" && l.audit.grantAction === "granted"));
    expect(github.checkRuns.filter((r) => r.head_sha === sha).at(-1)).toMatchObject({ conclusion: "success" });

    // It stops before the grant ends, taking its timer with it; the grant ends while no process runs.
    await first.stop();
    expect(Date.now(), "the first process stopped only after the grant had ended; the test proves nothing").toBeLessThan(ends);
    await new Promise((r) => setTimeout(r, ends - Date.now() + 500));
    const runsBefore = github.checkRuns.filter((r) => r.head_sha === sha).length;

    const second = await launch(env);
    const expired = await waitFor(() => second.logs.find((l) => l.audit?.grantAction === "expired"), 30_000);
    expect(expired.audit).toMatchObject({ event: "grant_expiry", action: "sweep", pullRequest: 23, commandCommentId: 8901, grants: [{ agent: "copilot", scope: ["paths:infra/**"], expires: new Date(ends).toISOString() }] });
    const runs = github.checkRuns.filter((r) => r.head_sha === sha);
    expect(runs.length).toBe(runsBefore + 1);
    expect(runs.at(-1)).toMatchObject({ conclusion: "failure" });
    expect(first.logs.filter((l) => l.audit?.grantAction === "expired")).toEqual([]);

    await second.stop();
    const store = new FileAuditStore(auditFile);
    const records = [];
    for await (const r of store.query({ grantActions: ["granted", "expired"] })) records.push(r);
    expect(records.map((r) => r.grantAction)).toEqual(["granted", "expired"]);
    expect(await store.verify()).toMatchObject({ ok: true });
  }, 90_000);
});
