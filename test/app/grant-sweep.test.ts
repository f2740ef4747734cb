import nock from "nock";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Timers } from "../../src/app/expiry-watch.js";
import { GrantExpiryTimers } from "../../src/app/grant-expiry-timers.js";
import { GrantSweep } from "../../src/app/grant-sweep.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, pullResponse } from "../fixtures/github.js";
import { API, createHarness, expectEveryMockUsed, mockBaseline, mockToken, NOW, policyContent, REPO_PATH } from "./harness.js";
import { activity, HEAD, mockActivity, mockCreate, mockListRuns, mockReads, pagedReply, POLICY } from "./mocks.js";

const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const GRANT = "/agent-policy grant copilot paths:infra/** for 30m because OPS-1234";
const COMMENT_ID = 5501;
const CREATED = new Date(NOW.getTime() - 10 * 60_000).toISOString().replace(".000", "");
const ENDS = new Date(NOW.getTime() + 20 * 60_000);
const MINUTE = 60_000;
const REPLY = { id: 9901, body: `<!-- agent-policy:grant-reply ${COMMENT_ID} -->\nGranted`, user: { login: "agent-policy[bot]", id: 1, type: "Bot" }, created_at: CREATED, updated_at: CREATED, performed_via_github_app: { id: 123 } };
const GRANT_COMMENT = { id: COMMENT_ID, body: GRANT, user: LEAD, created_at: CREATED, updated_at: CREATED };
const INFRA = { files: [fileEntry("infra/main.tf")], commits: [commitEntry(HEAD, "Add the cluster", { account: COPILOT, ...COPILOT_COMMITTER })] };

/** Timers driven by hand. */
class HandTimers implements Timers {
  readonly armed = new Map<number, { task: () => unknown; ms: number }>();
  private next = 1;
  set(task: () => unknown, ms: number): number {
    this.armed.set(this.next, { task, ms });
    return this.next++;
  }
  clear(handle: unknown): void {
    this.armed.delete(handle as number);
  }
}

function capturedLog() {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: pino({ level: "info" }, sink) };
}

/** Grant-expiry timers that only remember what was asked of them. */
function scheduledTimers() {
  const scheduled: { at: Date; task: () => Promise<void> }[] = [];
  return { scheduled, timers: new GrantExpiryTimers((at, task) => (scheduled.push({ at, task }), { cancel: () => undefined })) };
}

/** One app instance on the shared audit file, with its own clock, grant timers and grant sweep. */
async function instance(file: string, start: Date) {
  let now = start;
  const clock = () => now;
  const { scheduled, timers } = scheduledTimers();
  const sweepTimers = new HandTimers();
  const { lines, log } = capturedLog();
  const sweep = new GrantSweep({ clock, log: log as never, timers: sweepTimers });
  const h = await createHarness({ store: new FileAuditStore(file), app: { clock, grantTimers: timers, grantSweep: sweep } });
  return { h, sweep, sweepTimers, scheduled, lines, setNow: (t: Date) => (now = t) };
}

/** A platform member grants Copilot infra/** for 30 minutes in a comment; the app answers and records the grant. */
async function grantOnInstance(h: Awaited<ReturnType<typeof instance>>["h"]) {
  const scope = mockToken();
  mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
  mockReads({ ...INFRA, token: false, ifNoneMatch: '"p1"' });
  mockListRuns(scope);
  pagedReply(scope, `${REPO_PATH}/issues/2/comments`, [GRANT_COMMENT]);
  mockActivity(scope, [activity(COPILOT, "branch_creation")]);
  scope.get("/orgs/codertocat/teams/platform/members").query({ per_page: 100 }).reply(200, [LEAD]);
  pagedReply(scope, `${REPO_PATH}/issues/2/events`, []);
  const check = mockCreate(scope);
  scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: REPLY.id });
  const payload = examplePayload("issue_comment", "created");
  payload.issue = { ...payload.issue, number: 2, state: "open", html_url: "https://github.com/Codertocat/Hello-World/pull/2", pull_request: { url: `${API}${REPO_PATH}/pulls/2` } };
  payload.comment = { ...payload.comment, id: COMMENT_ID, body: GRANT, user: LEAD, created_at: CREATED, updated_at: CREATED };
  payload.sender = LEAD;
  await h.receive("issue_comment", payload);
  expect(check.body!.conclusion).toBe("success");
  expect(nock.pendingMocks()).toEqual([]);
}

/** What judging #2 again after the grant's end reads (`pullReads`: the sweep's own read of the pull request comes first). */
function mockJudgedAgain(o: { token: boolean; etag?: string; pullReads: number; comments?: object[] }) {
  const comments = o.comments ?? [GRANT_COMMENT, REPLY];
  const scope = mockReads({ ...INFRA, comments: comments.length, token: o.token, pullReads: o.pullReads, ...(o.etag ? { ifNoneMatch: o.etag } : {}) });
  mockListRuns(scope);
  pagedReply(scope, `${REPO_PATH}/issues/2/comments`, comments);
  // Who took part, the granting team and the closing events are read only when there is a command to decide.
  if (comments.includes(GRANT_COMMENT)) {
    mockActivity(scope, [activity(COPILOT, "branch_creation")]);
    scope.get("/orgs/codertocat/teams/platform/members").query({ per_page: 100 }).reply(200, [LEAD]);
    pagedReply(scope, `${REPO_PATH}/issues/2/events`, []);
  }
  return mockCreate(scope);
}

const expiredRecords = async (h: Awaited<ReturnType<typeof instance>>["h"]) => (await h.stored()).filter((r) => r.grantAction === "expired");

describe("a grant's end survives a restart", () => {
  expectEveryMockUsed();

  it("after a restart that lost the timer, the sweep judges the pull request again: the check turns red and the expiry is recorded once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-grant-sweep-")), "audit.jsonl");
    const before = await instance(file, NOW);
    await grantOnInstance(before.h);
    expect(before.scheduled.map((s) => s.at.toISOString())).toEqual([ENDS.toISOString()]);

    // The process restarts after the grant's end: its timer is gone; a new instance starts on the same audit store.
    const after = await instance(file, new Date(ENDS.getTime() + 5 * MINUTE));
    expect([...after.sweepTimers.armed.values()].map((t) => t.ms)).toEqual([5_000]);
    const red = mockJudgedAgain({ token: true, pullReads: 2 });
    await after.sweep.sweep();

    expect(red.body!.conclusion).toBe("failure");
    expect(red.body!.output.summary).toContain("Ended:");
    expect(await expiredRecords(after.h)).toEqual([
      expect.objectContaining({
        event: "grant_expiry",
        action: "sweep",
        pullRequest: 2,
        commandCommentId: COMMENT_ID,
        response: "none",
        grants: [{ agent: "copilot", by: "octo-lead", scope: ["paths:infra/**"], expires: ENDS.toISOString(), reason: "OPS-1234" }],
      }),
    ]);
    expect(after.lines.filter((l) => l.msg === "grant sweep done")).toEqual([expect.objectContaining({ due: 1, judged: 1, recorded: 1, active: 0 })]);

    // The next sweep, here or on another instance, finds the expiry recorded: no call, no second record.
    await after.sweep.sweep();
    const other = await instance(file, new Date(ENDS.getTime() + 65 * MINUTE));
    await other.sweep.sweep();
    expect(await expiredRecords(other.h)).toHaveLength(1);
    expect(other.lines.filter((l) => l.msg === "grant sweep done")).toEqual([expect.objectContaining({ due: 0, judged: 0 })]);
  });

  it("re-arms at start the timer of a grant still in force; when it fires, the check turns red", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-grant-sweep-")), "audit.jsonl");
    const before = await instance(file, NOW);
    await grantOnInstance(before.h);

    const after = await instance(file, new Date(NOW.getTime() + 5 * MINUTE));
    await after.sweep.sweep();
    expect(after.scheduled.map((s) => s.at.toISOString())).toEqual([ENDS.toISOString()]);
    expect(after.lines.filter((l) => l.msg === "grant sweep done")).toEqual([expect.objectContaining({ due: 0, judged: 0, active: 1, timers: 1 })]);

    after.setNow(ENDS);
    const red = mockJudgedAgain({ token: true, pullReads: 2 });
    await after.scheduled[0]!.task();
    expect(red.body!.conclusion).toBe("failure");
    expect(await expiredRecords(after.h)).toEqual([expect.objectContaining({ event: "grant_expiry", pullRequest: 2, commandCommentId: COMMENT_ID, time: ENDS.toISOString() })]);
  });

  it("two instances' timers both judge the pull request when the grant ends; the expiry is recorded once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-grant-sweep-")), "audit.jsonl");
    const first = await instance(file, NOW);
    await grantOnInstance(first.h);
    // A second instance starts while the grant is in force: its sweep arms a timer too.
    const second = await instance(file, new Date(NOW.getTime() + MINUTE));
    await second.sweep.sweep();
    expect(second.scheduled.map((s) => s.at.toISOString())).toEqual([ENDS.toISOString()]);
    first.setNow(ENDS);
    second.setNow(ENDS);

    // The first instance's client still holds its token and the policy's ETag; the second starts cold.
    const byFirst = mockJudgedAgain({ token: false, etag: '"p1"', pullReads: 1 });
    await first.scheduled[0]!.task();
    const bySecond = mockJudgedAgain({ token: true, pullReads: 2 });
    await second.scheduled[0]!.task();
    expect([byFirst.body!.conclusion, bySecond.body!.conclusion]).toEqual(["failure", "failure"]);
    expect(await expiredRecords(second.h)).toEqual([expect.objectContaining({ event: "grant_expiry", commandCommentId: COMMENT_ID })]);
    expect(second.lines.filter((l) => l.msg === "the audit store already holds this record; not written again")).toHaveLength(1);
  });

  it("leaves a closed pull request alone, and does not read it again", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-grant-sweep-")), "audit.jsonl");
    const before = await instance(file, NOW);
    await grantOnInstance(before.h);
    const after = await instance(file, new Date(ENDS.getTime() + 5 * MINUTE));
    mockToken().get(`${REPO_PATH}/pulls/2`).reply(200, { ...pullResponse({ number: 2, headSha: HEAD, headRef: "copilot/fix", user: COPILOT, changedFiles: 1, commits: 1 }), state: "closed" });
    await after.sweep.sweep();
    await after.sweep.sweep();
    expect(await expiredRecords(after.h)).toEqual([]);
    expect(after.lines.filter((l) => l.msg === "grant sweep done").map((l) => l.judged)).toEqual([0, 0]);
  });

  it("judges a pull request once per process after its grant's end, even when its comments no longer show the grant", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-grant-sweep-")), "audit.jsonl");
    const before = await instance(file, NOW);
    await grantOnInstance(before.h);
    const after = await instance(file, new Date(ENDS.getTime() + 5 * MINUTE));
    // The grant comment was deleted meanwhile: the change is judged without it, and there is no expiry to record.
    const red = mockJudgedAgain({ token: true, pullReads: 2, comments: [REPLY] });
    await after.sweep.sweep();
    expect(red.body!.conclusion).toBe("failure");
    await after.sweep.sweep();
    expect(after.lines.filter((l) => l.msg === "grant sweep done").map((l) => [l.due, l.judged, l.recorded])).toEqual([
      [1, 1, 0],
      [1, 0, 0],
    ]);
    // The second sweep made no call (a call would have found no answer and been logged as an error).
    expect(after.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("a revoked grant is done: the sweep judges nothing", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-grant-sweep-")), "audit.jsonl");
    const before = await instance(file, NOW);
    await grantOnInstance(before.h);
    const granted = (await before.h.stored()).find((r) => r.grantAction === "granted")!;
    const { seq: _s, prevHash: _p, hash: _h, ...record } = granted;
    await before.h.trail.write(before.h.probot.log, { ...record, grantAction: "revoked", commandCommentId: 5600, deliveryId: "revoke" });
    const after = await instance(file, new Date(ENDS.getTime() + 5 * MINUTE));
    await after.sweep.sweep();
    expect(after.lines.filter((l) => l.msg === "grant sweep done")).toEqual([expect.objectContaining({ due: 0, active: 0 })]);
  });
});
