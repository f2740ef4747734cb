import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";
import { pino } from "pino";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Probot, ProbotOctokit } from "probot";
import type { AppDependencies } from "../../src/app/dependencies.js";
import { createApp } from "../../src/app/index.js";
import { PolicyCache } from "../../src/github/load-policy.js";
import { AuditSpool } from "../../src/audit/audit-spool.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { AuditTrail } from "../../src/audit/audit-trail.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { appKeyPair } from "../fixtures/github.js";

export const API = "https://api.github.com";
export const REPO_PATH = "/repos/Codertocat/Hello-World";
export const NOW = new Date("2026-11-27T12:00:00Z");

const { privateKey } = appKeyPair();

/**
 * A Probot instance running the app, with the network disabled, its log
 * lines captured and its audit records in a file store of its own (or the
 * store given).
 */
export async function createHarness(options: { store?: AuditStore; spoolPath?: string; app?: Partial<AppDependencies> } = {}) {
  const logs: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: "test-webhook-secret",
    log: pino({ level: "info" }, sink),
    // A defaults function, not an object: Probot passes its own throttle options at construction,
    // which would replace an object default wholesale and leave throttling (1 s between writes) on.
    Octokit: ProbotOctokit.defaults((options: Record<string, any>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...options.throttle, enabled: false },
    })),
  });
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-audit-"));
  const store = options.store ?? new FileAuditStore(join(dir, "audit.jsonl"));
  const trail = new AuditTrail(store, new AuditSpool(options.spoolPath ?? join(dir, "audit.jsonl.spool")), { log: probot.log, retryBaseMs: 60_000 });
  await trail.start();
  // A missing org baseline is asked for on every event here, as each test's mocks expect; test/app/warm-event-calls.test.ts remembers it.
  const policyCache = new PolicyCache({ absentTtlMs: 0 });
  await probot.load(createApp({ appId: 123, clock: () => NOW, incidentKey: "test-incident-key", audit: trail, policyCache, ...options.app }));
  return {
    probot,
    logs,
    receive: (name: string, payload: object, id = "delivery-1") =>
      probot.receive({ id, name, payload } as unknown as Parameters<Probot["receive"]>[0]),
    audit: () => logs.filter((l) => l.audit).map((l) => l.audit),
    trail,
    store,
    /** Every record in the audit store, in chain order. */
    stored: async () => {
      const records = [];
      for await (const record of store.query()) records.push(record);
      return records;
    },
  };
}

export function mockToken(scope = nock(API)) {
  return scope.post("/app/installations/1/access_tokens").reply(201, { token: "ghs_test", permissions: { checks: "write" } });
}

export function policyContent(text: string, sha = "0123456789abcdef0123456789abcdef01234567") {
  return { type: "file", path: ".agent-policy.yml", sha, size: Buffer.byteLength(text), encoding: "base64", content: Buffer.from(text).toString("base64") };
}

/** Every test in the calling block runs with the network disabled and must use every mock it set up. */
export function expectEveryMockUsed(): void {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
}

/** How the org baseline's read is answered: a status, a body (a file), its etag; `ifNoneMatch`: the conditional request expected. */
export interface BaselineReply {
  status: number;
  body?: unknown;
  etag?: string;
  ifNoneMatch?: string;
}

/**
 * The org baseline, read after the repository's policy: by default the
 * owner of `repoPath` has none (no `.github` repository answers 404).
 */
export function mockBaseline(scope: nock.Scope, repoPath = REPO_PATH, reply: BaselineReply = { status: 404 }): nock.Scope {
  const owner = repoPath.split("/")[2]!;
  const request = scope.get(`/repos/${owner}/.github/contents/.agent-policy.yml`);
  if (reply.ifNoneMatch) request.matchHeader("if-none-match", reply.ifNoneMatch);
  request.reply(reply.status, (reply.body ?? { message: reply.status === 404 ? "Not Found" : "Server Error" }) as nock.Body, reply.etag ? { etag: reply.etag } : {});
  return scope;
}
