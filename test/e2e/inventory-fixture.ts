import { createPublicKey } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AUDIT_SCHEMA_VERSION, type AuditRecord } from "../../src/audit/audit-record.js";
import { controlsOfAll } from "../../src/audit/framework-mapping.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import type { RuleId } from "../../src/engine/types.js";
import { appKeyPair } from "../fixtures/github.js";
import { FakeGitHub } from "./fake-github.js";
import { AppProcess } from "./server-process.js";

export const SESSION_SECRET = "inventory-session-secret-0123456789abcdef";
/** Text an assistant controls, planted where the page shows it. */
export const HOSTILE = `<img src=x onerror="alert(1)">`;

const DAY = 86_400_000;

export function auditRecord(fields: Partial<AuditRecord> & Pick<AuditRecord, "repository" | "time">): AuditRecord {
  const ruleIds = (fields.ruleIds ?? []) as RuleId[];
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    deliveryId: `d-${Math.random().toString(36).slice(2)}`,
    installationId: 1,
    event: "pull_request",
    action: "synchronize",
    agents: [],
    assets: [],
    decision: "allow",
    mode: "enforce",
    findings: [],
    frameworks: controlsOfAll(ruleIds),
    approvers: [],
    policy: { source: "repository", path: ".agent-policy.yml", ref: "main", sha: "1".repeat(40), valid: true },
    response: "check_run",
    responded: true,
    severity: "info",
    ...fields,
    ruleIds,
  };
}

const POLICY = `version: 1
mode: enforce
agents:
  copilot:
    owner: "@acme/platform"
    match: { catalogue: [copilot-coding-agent] }
    expires: "${new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10)}"
    paths: { allow: ["src/**"] }
  devin:
    owner: "@acme-lead"
    match: { ids: [158243242] }
    suspended: true
    paths: { allow: ["docs/**"] }
`;

/**
 * The app's real server with the inventory enabled, a fake GitHub that
 * signs people in, and an audit store holding records of three
 * repositories: acme/api and acme/web (alice may read both through
 * installation 1), acme/secret (same installation, alice may not read it)
 * and other/thing (an installation alice does not see).
 */
export class InventoryWorld {
  readonly keys = appKeyPair();
  readonly github = new FakeGitHub(createPublicKey(this.keys.publicKey));
  readonly dir = mkdtempSync(join(tmpdir(), "agent-policy-inventory-"));
  readonly auditFile = join(this.dir, "audit.jsonl");
  app!: AppProcess;

  get base(): string {
    return `http://127.0.0.1:${this.app.port}`;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    const githubPort = await this.github.start();
    this.github.userInstallations.set("alice", [{ id: 1, account: "acme", repositories: ["acme/api", "acme/web"] }]);
    this.github.userInstallations.set("mallory", [{ id: 2, account: "other", repositories: ["other/thing"] }]);
    this.github.setFile("acme/api", "main", ".agent-policy.yml", POLICY);
    this.github.branchRules.set("acme/api", [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "Agent Policy" }] } }]);
    // GitHub will not say whether acme/web requires the check.
    this.github.fail("/repos/acme/web/rules/branches/main", 403);
    await this.fill();
    this.app = new AppProcess({
      APP_ID: "123",
      PRIVATE_KEY: this.keys.privateKey,
      WEBHOOK_SECRET: "inventory-webhook-secret",
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      NODE_ENV: "production",
      AUDIT_FILE: this.auditFile,
      SESSION_SECRET,
      GITHUB_CLIENT_ID: this.github.oauthClient.id,
      GITHUB_CLIENT_SECRET: this.github.oauthClient.secret,
      ...extraEnv,
    });
    await this.app.start();
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    await this.github.stop();
  }

  private async fill(): Promise<void> {
    const store = new FileAuditStore(this.auditFile);
    const now = Date.now();
    const at = (daysAgo: number, hour = 10) => {
      const d = new Date(now - daysAgo * DAY);
      d.setUTCHours(hour, 0, 0, 0);
      return new Date(Math.min(d.getTime(), now - 60_000)).toISOString();
    };
    const copilot = { key: "copilot", owner: "@acme/platform", declared: true };
    const records: AuditRecord[] = [];
    // A month of calm allows by copilot on acme/api in working hours.
    for (let day = 8; day < 36; day += 2) {
      records.push(auditRecord({ repository: "acme/api", time: at(day), agents: [copilot], pullRequest: 1, headSha: "a".repeat(40), assets: ["path:src/a.ts"] }));
    }
    // This week: denials at night on many paths.
    for (let i = 0; i < 6; i++) {
      records.push(
        auditRecord({
          repository: "acme/api",
          time: at(1 + (i % 3), 3),
          agents: [copilot],
          pullRequest: 7,
          headSha: `${i}`.repeat(40),
          decision: "deny",
          ruleIds: ["path-scope"],
          assets: [`path:infra/secret-${i}.tf`, `path:deploy/${i}.yml`],
        }),
      );
    }
    // An unregistered assistant whose text is hostile.
    records.push(
      auditRecord({
        repository: "acme/web",
        time: at(0),
        agents: [{ key: HOSTILE, declared: false }],
        pullRequest: 3,
        headSha: "c".repeat(40),
        decision: "deny",
        ruleIds: ["unregistered-agent"],
        error: HOSTILE,
      }),
    );
    // A step-up waiting for octo-lead on acme/api#9.
    records.push(
      auditRecord({ repository: "acme/api", time: at(2), agents: [copilot], pullRequest: 9, headSha: "d".repeat(40), decision: "step_up", ruleIds: ["step-up"], approvers: ["octo-lead"] }),
    );
    // A resolved step-up on #10: allowed later.
    records.push(auditRecord({ repository: "acme/api", time: at(3), agents: [copilot], pullRequest: 10, decision: "step_up", ruleIds: ["step-up"], approvers: ["octo-lead"] }));
    records.push(auditRecord({ repository: "acme/api", time: at(1), agents: [copilot], pullRequest: 10, decision: "allow" }));
    // An incident by devin on a push.
    records.push(
      auditRecord({
        repository: "acme/api",
        time: at(1),
        event: "push",
        agents: [{ key: "devin", owner: "@acme-lead", declared: true }],
        decision: "deny",
        ruleIds: ["push-to-protected-branch"],
        response: "incident",
        issueNumber: 42,
        severity: "critical",
        headSha: "e".repeat(40),
      }),
    );
    // Repositories alice must never see.
    records.push(auditRecord({ repository: "acme/secret", time: at(1), agents: [{ key: "hidden-bot", declared: false }], pullRequest: 5, decision: "deny", ruleIds: ["path-scope"] }));
    records.push(auditRecord({ repository: "other/thing", time: at(1), installationId: 2, agents: [{ key: "other-bot", owner: "@other/team", declared: true }], pullRequest: 6 }));
    records.sort((a, b) => a.time.localeCompare(b.time));
    for (const record of records) await store.append(record);
    await store.close();
  }

  /** Runs the whole OAuth web flow as `login` would in a browser; resolves with the session cookie. */
  async signIn(login: string): Promise<string> {
    const start = await fetch(`${this.base}/agent-policy/auth/signin`, { redirect: "manual" });
    const authorize = new URL(start.headers.get("location")!);
    const stateCookie = cookieOf(start, "agent_policy_oauth_state");
    const code = this.github.issueOAuthCode(login);
    const callback = await fetch(`${this.base}/agent-policy/auth/callback?code=${code}&state=${authorize.searchParams.get("state")}`, {
      redirect: "manual",
      headers: { cookie: `agent_policy_oauth_state=${stateCookie}` },
    });
    if (callback.status !== 302) throw new Error(`sign-in failed: ${callback.status} ${await callback.text()}`);
    return cookieOf(callback, "agent_policy_session");
  }

  get(path: string, session?: string): Promise<Response> {
    return fetch(`${this.base}${path}`, { redirect: "manual", headers: session ? { cookie: `agent_policy_session=${session}` } : {} });
  }
}

export function cookieOf(response: Response, name: string): string {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const [key, ...value] = pair!.split("=");
    if (key === name && value.join("=")) return value.join("=");
  }
  throw new Error(`no ${name} cookie set`);
}
