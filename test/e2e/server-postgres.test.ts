import { createPublicKey } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAuditStore } from "../../src/audit/postgres-audit-store.js";
import { appKeyPair, commitEntry, COPILOT, DEVIN, examplePayload, examplePayloadWhere, fileEntry, HUMAN, pullResponse, workflowRunRequestedPayload } from "../fixtures/github.js";
import { startPostgres, type PostgresServer } from "../support/postgres.js";
import { expectOneRecordPerWebhook } from "./audit-records.js";
import { FakeGitHub } from "./fake-github.js";
import { AppProcess, pollUntil } from "./server-process.js";

const REPO = "Codertocat/Hello-World";
const SECRET = "e2e-webhook-secret";
const POLICY = `version: 1
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { catalogue: [copilot-coding-agent] }
    paths: { allow: ["src/**"] }
  devin:
    owner: "@octo-lead"
    match: { ids: [158243242] }
    paths: { allow: ["docs/**"] }
`;

const waitFor = <T>(probe: () => T | undefined, timeoutMs = 10_000) => pollUntil(probe, timeoutMs, 25);

describe("the app's server process with its audit trail in PostgreSQL (DATABASE_URL)", () => {
  const keys = appKeyPair();
  const github = new FakeGitHub(createPublicKey(keys.publicKey));
  let postgres: PostgresServer;
  let app: AppProcess;

  beforeAll(async () => {
    postgres = await startPostgres();
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
      DATABASE_URL: postgres.url,
      AUDIT_SPOOL_FILE: join(mkdtempSync(join(tmpdir(), "agent-policy-e2e-spool-")), "spool.jsonl"),
    });
    await app.start();
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await github.stop();
    await postgres?.stop();
  });

  it("writes exactly one chained record per webhook that decided something, to the database", async () => {
    const pull = (number: number, sha: string, user: typeof COPILOT, files: Record<string, unknown>[]) => {
      github.setPull(REPO, number, {
        pull: pullResponse({ number, headSha: sha, headRef: "feature", user, changedFiles: files.length, commits: 1 }),
        files,
        commits: [commitEntry(sha, "Change", { account: user, name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com` })],
      });
      const payload = examplePayload("pull_request", "opened");
      payload.number = number;
      payload.pull_request = { ...payload.pull_request, number, head: { ...payload.pull_request.head, sha, ref: "feature" }, user: { ...payload.pull_request.user, ...user } };
      payload.sender = { ...payload.sender, ...user };
      return payload;
    };
    expect((await app.sendWebhook("pull_request", pull(21, "1".repeat(40), DEVIN, [fileEntry(".env", "added")]), SECRET, "pg-devin")).status).toBe(200);
    expect((await app.sendWebhook("pull_request", pull(22, "2".repeat(40), HUMAN, [fileEntry("README.md")]), SECRET, "pg-human")).status).toBe(200);
    expect((await app.sendWebhook("pull_request", pull(23, "3".repeat(40), COPILOT, [fileEntry("src/a.ts")]), "wrong-secret", "pg-forged")).status).toBeGreaterThanOrEqual(400);

    const push = examplePayloadWhere("push", (p) => p.ref === "refs/heads/master" && Boolean(p.installation));
    push.after = "9".repeat(40);
    push.before = "8".repeat(40);
    push.created = false;
    push.pusher = { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" };
    push.sender = { ...push.sender, ...COPILOT };
    push.commits = [{ ...push.commits[0], id: push.after, distinct: true, message: "Hotfix", author: { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" } }];
    push.head_commit = push.commits[0];
    expect((await app.sendWebhook("push", push, SECRET, "pg-push")).status).toBe(200);

    const run = (id: number, actor: object) => {
      const payload = workflowRunRequestedPayload();
      payload.repository = pull(1, "a".repeat(40), COPILOT, []).repository;
      payload.workflow_run = { ...payload.workflow_run, id, path: ".github/workflows/deploy.yml", actor, triggering_actor: actor };
      payload.sender = { ...payload.sender, ...actor };
      return payload;
    };
    expect((await app.sendWebhook("workflow_run", run(5151, COPILOT), SECRET, "pg-run-copilot")).status).toBe(200);
    expect((await app.sendWebhook("workflow_run", run(5152, HUMAN), SECRET, "pg-run-human")).status).toBe(200);
    await waitFor(() => (github.cancelledRuns.includes(5151) ? true : undefined));

    const store = new PostgresAuditStore(postgres.url);
    const records = await expectOneRecordPerWebhook(app, store, {
      "pg-devin": 1,
      "pg-human": 1,
      "pg-forged": 0,
      "pg-push": 1,
      "pg-run-copilot": 1,
      "pg-run-human": 0,
    });
    expect(records.map((r) => [r.deliveryId, r.decision, r.response])).toEqual([
      ["pg-devin", "deny", "check_run"],
      ["pg-human", "allow", "check_run"],
      ["pg-push", "deny", "incident"],
      ["pg-run-copilot", "deny", "cancel_workflow_run"],
    ]);
    await store.close();
  });
});
