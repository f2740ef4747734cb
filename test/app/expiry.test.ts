import nock from "nock";
import { describe, expect, it } from "vitest";
import { ExpiryWatch, type Timers } from "../../src/app/expiry-watch.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, fileEntry } from "../fixtures/github.js";
import { API, createHarness, expectEveryMockUsed, mockBaseline, NOW, policyContent, REPO_PATH } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY } from "./mocks.js";
import { AFTER, BEFORE, HUMAN_PUSHER, HUMAN_SENDER, mockCompare, mockPolicy, payloadCommit, pushPayload } from "./push-mocks.js";

const HUMAN_GIT = { name: "Octo Dev", email: "dev@example.com", username: "octo-dev" };
const STATUSES = ["requested", "queued", "pending", "waiting", "in_progress"] as const;
const MINUTE = 60_000;
const expiring = (at: string) => POLICY.replace('owner: "@Codertocat/platform"', `owner: "@Codertocat/platform"\n    expires: "${at}"`);

/** Timers driven by hand: each armed task with its delay, fired when the test says. */
class HandTimers implements Timers {
  readonly armed = new Map<number, { task: () => unknown; ms: number }>();
  readonly cleared: number[] = [];
  private next = 1;

  set(task: () => unknown, ms: number): number {
    const id = this.next++;
    this.armed.set(id, { task, ms });
    return id;
  }

  clear(handle: unknown): void {
    this.cleared.push(handle as number);
    this.armed.delete(handle as number);
  }

  delays(): number[] {
    return [...this.armed.values()].map((t) => t.ms).sort((a, b) => a - b);
  }

  /** Fires the timer armed with this delay and waits for what it started. */
  async fire(ms: number): Promise<void> {
    const found = [...this.armed].find(([, t]) => t.ms === ms);
    if (!found) throw new Error(`no timer armed for ${ms} ms`);
    this.armed.delete(found[0]);
    await found[1].task();
  }
}

async function setUp() {
  let now = NOW;
  const clock = () => now;
  const timers = new HandTimers();
  const lines: Record<string, any>[] = [];
  const line = (level: string) => (fields: object, msg: string) => lines.push({ level, ...fields, msg });
  const log = { info: line("info"), warn: line("warn"), error: line("error"), debug: line("debug") };
  const expiries = new ExpiryWatch({ clock, timers, log: log as never });
  const h = await createHarness({ app: { clock, expiries } });
  return { h, timers, expiries, lines, setNow: (t: Date) => (now = t) };
}

function mockActiveRuns(scope: nock.Scope, queued: object[] = []) {
  for (const status of STATUSES) {
    const runs = status === "queued" ? queued : [];
    scope.get(`${REPO_PATH}/actions/runs`).query({ status, per_page: 100 }).reply(200, { total_count: runs.length, workflow_runs: runs });
  }
}

function mockOpenPulls(scope: nock.Scope, pulls: { number: number; sha: string }[]) {
  scope
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "open", sort: "updated", direction: "desc", per_page: 100 })
    .reply(200, pulls.map((p) => ({ number: p.number, state: "open", head: { sha: p.sha, ref: "copilot/fix" } })));
}

/**
 * The re-evaluation of #2 (Copilot's change to src/a.ts): no run of ours on its head yet (not asked when a run
 * cancelled at its head makes it evaluated anyway, `signal: false`), then the whole evaluation.
 */
function mockPullRequestTwo(scope: nock.Scope, etag = '"p1"', signal = true) {
  mockOpenPulls(scope, [{ number: 2, sha: HEAD }]);
  if (signal) scope.get(`${REPO_PATH}/commits/${HEAD}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(200, { total_count: 0, check_runs: [] });
  const reads = mockReads({ token: false, ifNoneMatch: etag, files: [fileEntry("src/a.ts")], commits: [commitEntry(HEAD, "Fix", { account: COPILOT, ...COPILOT_COMMITTER })] });
  mockListRuns(reads);
  return mockCreate(reads);
}

/** A person's push to master that changes the policy to `policy`; nobody is suspended, so no run is listed. */
async function pushPolicy(h: Awaited<ReturnType<typeof setUp>>["h"], policy: string) {
  const scope = mockPolicy(policy);
  mockCompare(scope, `${BEFORE}...${AFTER}`, [{ commits: [commitEntry(AFTER, "Set an expiry", { account: HUMAN_SENDER, ...HUMAN_GIT })], files: [] }]);
  mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304));
  mockOpenPulls(scope, []);
  const commit = { ...payloadCommit(AFTER, "Set an expiry", HUMAN_GIT), added: [], removed: [], modified: [".agent-policy.yml"] };
  await h.receive("push", pushPayload({ ref: "refs/heads/master", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] }));
  return scope;
}

const copilotRun = (id: number) => ({
  id,
  path: ".github/workflows/ci.yml",
  html_url: `https://github.com/Codertocat/Hello-World/actions/runs/${id}`,
  head_sha: HEAD,
  head_branch: "copilot/fix",
  actor: COPILOT,
  triggering_actor: COPILOT,
  head_commit: null,
});

describe("expiry takes effect on time", () => {
  expectEveryMockUsed();

  it("arms a timer for the instant a grant ends; when it fires, the agent's runs are cancelled and its open pull request fails", async () => {
    const { h, timers, setNow } = await setUp();
    await pushPolicy(h, expiring("2026-11-27T12:30:00Z"));
    // The sweep every hour, and the expiry 30 minutes after the policy change.
    expect(timers.delays()).toEqual([30 * MINUTE, 60 * MINUTE]);

    setNow(new Date("2026-11-27T12:30:00Z"));
    const scope = mockBaseline(nock(API).get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304));
    mockActiveRuns(scope, [copilotRun(906)]);
    scope.post(`${REPO_PATH}/actions/runs/906/cancel`).reply(202, {});
    const posted = mockPullRequestTwo(scope, '"p1"', false);
    await timers.fire(30 * MINUTE);

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(posted.body!.output.summary).toMatch(/Workflow runs cancelled[\s\S]*run 906[\s\S]*: cancelled\. .*expired/);
    expect(h.audit()).toEqual([
      expect.objectContaining({ event: "schedule", action: "agent_expired", workflowRunId: 906, response: "cancel_workflow_run", ruleIds: ["agent-expired"] }),
      expect.objectContaining({ event: "schedule", action: "agent_expired", pullRequest: 2, decision: "deny", ruleIds: ["agent-expired"] }),
    ]);
    expect(timers.delays()).toEqual([60 * MINUTE]);
  });

  it("judges with the policy as it is when the timer fires: an expiry extended since then leaves the pull request green", async () => {
    const { h, timers, setNow } = await setUp();
    await pushPolicy(h, expiring("2026-11-27T12:30:00Z"));
    setNow(new Date("2026-11-27T12:30:00Z"));
    const scope = mockBaseline(
      nock(API)
        .get(`${REPO_PATH}/contents/.agent-policy.yml`)
        .query({ ref: "master" })
        .reply(200, policyContent(expiring("2027-01-31"), "1".repeat(40)), { etag: '"p2"' }),
    );
    const posted = mockPullRequestTwo(scope, '"p2"');
    await timers.fire(30 * MINUTE);
    expect(posted.body!.conclusion).toBe("success");
    expect(h.audit()).toEqual([expect.objectContaining({ event: "schedule", action: "agent_expired", decision: "allow" })]);
  });

  it("sweeps every installation's repositories: a grant that ended since the last sweep is acted on, one ending soon gets a timer", async () => {
    const { h, timers, expiries, lines } = await setUp();
    const scope = nock(API);
    scope.get("/app/installations").query({ per_page: 100 }).reply(200, [{ id: 1, account: { login: "Codertocat" } }]);
    scope.post("/app/installations/1/access_tokens").reply(201, { token: "ghs_test", permissions: {} });
    scope
      .get("/installation/repositories")
      .query({ per_page: 100 })
      .reply(200, {
        total_count: 3,
        repositories: [
          { name: "Hello-World", owner: { login: "Codertocat" }, default_branch: "master", archived: false },
          { name: "Soon", owner: { login: "Codertocat" }, default_branch: "main", archived: false },
          { name: "Old", owner: { login: "Codertocat" }, default_branch: "main", archived: true },
        ],
      });
    // Hello-World: Copilot's grant ended at 11:30, after the last sweep (11:00, one interval back at start).
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(expiring("2026-11-27T11:30:00Z")), { etag: '"p1"' }));
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304));
    mockActiveRuns(scope);
    const posted = mockPullRequestTwo(scope);
    // Soon: a grant that ends at 12:20 gets a timer, and nothing is evaluated now.
    mockBaseline(scope.get("/repos/Codertocat/Soon/contents/.agent-policy.yml").query({ ref: "main" }).reply(200, policyContent(expiring("2026-11-27T12:20:00Z"), "2".repeat(40)), { etag: '"s1"' }), "/repos/Codertocat/Soon");

    await expiries.sweep();

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(h.audit()).toEqual([expect.objectContaining({ event: "schedule", action: "sweep", pullRequest: 2, decision: "deny", ruleIds: ["agent-expired"] })]);
    expect(timers.delays()).toEqual([20 * MINUTE, 60 * MINUTE]);
    expect(lines.filter((l) => l.msg === "expiry sweep done")).toEqual([expect.objectContaining({ visited: 2, responded: 1, timers: 1 })]);
  });

  it("does not act twice on a grant the previous sweep already acted on", async () => {
    const { expiries, lines, setNow } = await setUp();
    const scope = nock(API);
    const mockWalk = (policy: () => nock.Interceptor) => {
      scope.get("/app/installations").query({ per_page: 100 }).reply(200, [{ id: 1 }]);
      scope.get("/installation/repositories").query({ per_page: 100 }).reply(200, { total_count: 1, repositories: [{ name: "Hello-World", owner: { login: "Codertocat" }, default_branch: "master" }] });
      return policy();
    };
    scope.post("/app/installations/1/access_tokens").reply(201, { token: "ghs_test", permissions: {} });
    mockBaseline(mockWalk(() => scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" })).reply(200, policyContent(expiring("2026-11-27T11:30:00Z")), { etag: '"p1"' }));
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304));
    mockActiveRuns(scope);
    mockOpenPulls(scope, []);
    await expiries.sweep();

    setNow(new Date("2026-11-27T13:00:00Z"));
    mockBaseline(mockWalk(() => scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"')).reply(304));
    await expiries.sweep();
    expect(lines.filter((l) => l.msg === "expiry sweep done").map((l) => l.responded)).toEqual([1, 0]);
  });

  it("clears every timer on shutdown, and arms none afterwards", async () => {
    const { h, timers, expiries } = await setUp();
    await pushPolicy(h, expiring("2026-11-27T12:30:00Z"));
    expect(expiries.pending).toBe(1);
    expiries.stop();
    expect(timers.armed.size).toBe(0);
    expect(timers.cleared).toHaveLength(2);
    expect(expiries.pending).toBe(0);
    await expiries.sweep();
  });
});
