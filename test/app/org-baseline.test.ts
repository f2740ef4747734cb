import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { API, createHarness, expectEveryMockUsed, mockBaseline, policyContent, REPO_PATH } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY, type Scenario } from "./mocks.js";
import { AFTER, BEFORE, HUMAN_PUSHER, HUMAN_SENDER, payloadCommit, pushPayload } from "./push-mocks.js";

const BASELINE_SHA = "b".repeat(40);
const BASELINE = `version: 1
mode: enforce
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { ids: [198982749] }
    paths: { allow: ["src/**"] }
    repos: { allow: ["Hello-*"] }
`;

/** The repository's own policy widens the baseline: test/** and package.json are beyond its floor, and it asks for audit mode. */
const WIDENING = POLICY.replace("version: 1\n", "version: 1\nmode: audit\n");

const RUN_STATUSES = ["requested", "queued", "pending", "waiting", "in_progress"] as const;

/** A workflow run Copilot started, as the REST API lists it. */
const copilotRun = (id: number, sha: string, branch: string) => ({
  id,
  name: "CI",
  display_title: "Fix the parser",
  run_number: id - 900,
  status: "in_progress",
  path: ".github/workflows/ci.yml",
  html_url: `https://github.com/Codertocat/Hello-World/actions/runs/${id}`,
  head_sha: sha,
  head_branch: branch,
  head_repository: { full_name: "Codertocat/Hello-World" },
  actor: COPILOT,
  triggering_actor: COPILOT,
  head_commit: null,
});

const baselineFile = (text = BASELINE, etag = '"b1"') => ({ status: 200, body: policyContent(text, BASELINE_SHA), etag });
/** Text as a reader sees it: without the word joiners and Markdown escapes that keep event text inert. */
const plain = (text: string) => text.replace(/\u2060/g, "").replace(/\\(.)/g, "$1");
const copilotCommit = () => commitEntry(HEAD, "Implement the change", { account: COPILOT, ...COPILOT_COMMITTER });

function event() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

async function judge(s: Scenario, h?: Awaited<ReturnType<typeof createHarness>>) {
  const harness = h ?? (await createHarness());
  const scope = mockReads(s);
  mockListRuns(scope);
  const posted = mockCreate(scope);
  await harness.receive("pull_request", event());
  return { body: posted.body!, harness };
}

describe("the org baseline in the .github repository", () => {
  expectEveryMockUsed();

  it("judges with the repository policy narrowed by the baseline, names both sources, and annotates each widening key", async () => {
    const { body, harness } = await judge({ policy: WIDENING, baseline: baselineFile(), files: [fileEntry("src/app.ts"), fileEntry("test/app.test.ts", "added")], commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    // The audit record names the baseline too (the inventory's posture view reads it there).
    expect(harness.audit()[0].policy).toMatchObject({ source: "repository", baseline: { repository: "Codertocat/.github", path: ".agent-policy.yml", sha: BASELINE_SHA } });
    const summary: string = body.output.summary;
    expect(summary).toContain("**Policy:** `.agent-policy.yml` on `master` (blob `0123456789ab`) · **Org baseline:** `.agent-policy.yml` in `Codertocat/.github` (blob `bbbbbbbbbbbb`) · **Mode:** enforce");
    expect(summary).toContain("would widen the org baseline at these keys; the baseline's values apply:");
    expect(summary).toContain("path-scope");
    const widenings = body.output.annotations.filter((a: { annotation_level: string }) => a.annotation_level === "warning");
    expect(widenings.map((a: { path: string; start_line: number; message: string }) => [a.path, a.start_line, plain(a.message).split(";")[0]])).toEqual([
      [".agent-policy.yml", 2, "mode: audit would relax the org baseline's mode: enforce"],
      [".agent-policy.yml", 9, 'agents.copilot.paths.allow[1] "test/**" reaches beyond the org baseline (e.g. "test/a")'],
      [".agent-policy.yml", 9, 'agents.copilot.paths.allow[2] "package.json" reaches beyond the org baseline (e.g. "package.json")'],
    ]);
  });

  it("enforces the baseline alone in a repository without a policy (not audit mode with the built-in rules)", async () => {
    const { body } = await judge({ policy: null, baseline: baselineFile(), files: [fileEntry("docs/a.md")], commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Denied: 1 finding for copilot");
    expect(body.output.summary).toContain("**Policy:** no `.agent-policy.yml` on `master`, so the org baseline alone · **Org baseline:**");
  });

  it("denies an agent outside the repositories the baseline confines it to (repo-scope)", async () => {
    const confined = BASELINE.replace('["Hello-*"]', '["docs-*"]');
    const { body } = await judge({ policy: null, baseline: baselineFile(confined), files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.summary).toContain("repo-scope");
    expect(plain(body.output.summary)).toContain("acted in repository Hello-World, but it may only act in docs-*.");
  });

  it("fails closed when the baseline cannot be read, and when it does not validate", async () => {
    const unreadable = await judge({ baseline: { status: 500 }, files: [], commits: [] });
    expect(unreadable.body).toMatchObject({ conclusion: "failure", output: { title: "Could not verify this change: failing closed" } });
    expect(unreadable.body.output.summary).toContain("read the org baseline .agent-policy.yml from Codertocat/.github (HTTP 500)");

    const { body } = await judge({ baseline: baselineFile("version: 1\nmode: sometimes\n"), files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Org baseline in Codertocat/.github is invalid (1 problem): failing closed");
    expect(body.output.summary).toContain("`Codertocat/.github/.agent-policy.yml:2:7`");
    // The baseline's problems are in another repository: nothing is annotated here.
    expect(body.output.annotations).toEqual([]);
  });

  it("reads the baseline with a conditional request on a warm event, and keeps its blob SHA", async () => {
    const h = await createHarness();
    await judge({ baseline: baselineFile(), files: [fileEntry("src/a.ts")], commits: [copilotCommit()] }, h);
    const second = await judge({ token: false, ifNoneMatch: '"p1"', baseline: { status: 304, ifNoneMatch: '"b1"' }, files: [fileEntry("test/a.ts")], commits: [copilotCommit()] }, h);
    expect(second.body.output.summary).toContain("(blob `bbbbbbbbbbbb`)");
    // Still narrowed by the cached baseline: test/** is beyond it.
    expect(second.body.conclusion).toBe("failure");
  });
});

describe("a change of the org baseline re-evaluates the organisation's open agent pull requests", () => {
  expectEveryMockUsed();

  it("lists the installation's repositories and evaluates each one's open pull requests with the new floor", async () => {
    const h = await createHarness();
    const scope = nock(API).post("/app/installations/1/access_tokens").reply(201, { token: "ghs_test", permissions: {} });
    const dotGithub = "/repos/Codertocat/.github";
    // The push's own judgement in the .github repository, whose own file is the baseline (read once, no second read).
    scope.get(`${dotGithub}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(BASELINE, BASELINE_SHA), { etag: '"b1"' });
    // Read again for the revocation of runs, answered from the cache.
    scope.get(`${dotGithub}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"b1"').reply(304);
    const pushed = commitEntry(AFTER, "Narrow copilot", { account: HUMAN_SENDER, name: "Octo Dev", email: "dev@example.com" });
    scope
      .get(`${dotGithub}/compare/${BEFORE}...${AFTER}`)
      .query({ per_page: 100, page: 1 })
      .reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [pushed], files: [] });
    scope.get(`${dotGithub}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: 100 }).reply(200, []);
    scope.get("/installation/repositories").query({ per_page: 100 }).reply(200, {
      total_count: 3,
      repositories: [
        { name: ".github", owner: { login: "Codertocat" }, default_branch: "master", archived: false },
        { name: "Hello-World", owner: { login: "Codertocat" }, default_branch: "master", archived: false },
        { name: "old", owner: { login: "Codertocat" }, default_branch: "master", archived: true },
      ],
    });
    // The repository's policy in force (none of its own; the new baseline) is read first, for the runs of agents it ends.
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(404, { message: "Not Found" }), REPO_PATH, baselineFile(BASELINE, '"b2"'));
    scope.get(`${REPO_PATH}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: 100 }).reply(200, [{ number: 2, state: "open", head: { sha: HEAD, ref: "copilot/fix" } }]);
    scope.get(`${REPO_PATH}/commits/${HEAD}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(200, { total_count: 0, check_runs: [] });
    const reads = mockReads({ token: false, policy: null, baseline: { status: 304, ifNoneMatch: '"b2"' }, files: [fileEntry("test/a.ts")], commits: [copilotCommit()] });
    mockListRuns(reads);
    const posted = mockCreate(reads);

    const commit = { ...payloadCommit(AFTER, "Narrow copilot", { name: "Octo Dev", email: "dev@example.com", username: "octo-dev" }), added: [], removed: [], modified: [".agent-policy.yml"] };
    const payload = pushPayload({ ref: "refs/heads/master", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] });
    payload.repository = { ...payload.repository, name: ".github", full_name: "Codertocat/.github" };
    await h.receive("push", payload);

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    expect(posted.body!.output.summary).toContain("path-scope");
    expect(h.audit()).toContainEqual(expect.objectContaining({ repository: "Codertocat/Hello-World", action: "baseline_changed", pullRequest: 2, decision: "deny" }));
  });

  it("cancels, in each repository, the runs of an agent the new baseline suspends, and lists them in the check of their pull request", async () => {
    const SUSPENDING = BASELINE.replace('owner: "@Codertocat/platform"', 'owner: "@Codertocat/platform"\n    suspended: true');
    const h = await createHarness();
    const scope = nock(API).post("/app/installations/1/access_tokens").reply(201, { token: "ghs_test", permissions: {} });
    const dotGithub = "/repos/Codertocat/.github";
    scope.get(`${dotGithub}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(SUSPENDING, BASELINE_SHA), { etag: '"b1"' });
    scope.get(`${dotGithub}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"b1"').reply(304);
    const pushed = commitEntry(AFTER, "Suspend copilot", { account: HUMAN_SENDER, name: "Octo Dev", email: "dev@example.com" });
    scope
      .get(`${dotGithub}/compare/${BEFORE}...${AFTER}`)
      .query({ per_page: 100, page: 1 })
      .reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [pushed], files: [] });
    // The .github repository's own runs: none.
    for (const status of RUN_STATUSES) scope.get(`${dotGithub}/actions/runs`).query({ status, per_page: 100 }).reply(200, { total_count: 0, workflow_runs: [] });
    scope.get(`${dotGithub}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: 100 }).reply(200, []);
    scope.get("/installation/repositories").query({ per_page: 100 }).reply(200, {
      total_count: 2,
      repositories: [
        { name: ".github", owner: { login: "Codertocat" }, default_branch: "master", archived: false },
        { name: "Hello-World", owner: { login: "Codertocat" }, default_branch: "master", archived: false },
      ],
    });
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(404, { message: "Not Found" }), REPO_PATH, baselineFile(SUSPENDING, '"b2"'));
    for (const status of RUN_STATUSES) {
      const runs = status === "in_progress" ? [copilotRun(951, HEAD, "copilot/fix"), { ...copilotRun(952, HEAD, "copilot/fix"), actor: HUMAN_SENDER, triggering_actor: HUMAN_SENDER }] : [];
      scope.get(`${REPO_PATH}/actions/runs`).query({ status, per_page: 100 }).reply(200, { total_count: runs.length, workflow_runs: runs });
    }
    scope.post(`${REPO_PATH}/actions/runs/951/cancel`).reply(202, {});
    scope.get(`${REPO_PATH}/pulls`).query({ state: "open", sort: "updated", direction: "desc", per_page: 100 }).reply(200, [{ number: 2, state: "open", head: { sha: HEAD, ref: "copilot/fix", repo: { full_name: "Codertocat/Hello-World" } } }]);
    const reads = mockReads({ token: false, policy: null, baseline: { status: 304, ifNoneMatch: '"b2"' }, files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    mockListRuns(reads);
    const posted = mockCreate(reads);

    const commit = { ...payloadCommit(AFTER, "Suspend copilot", { name: "Octo Dev", email: "dev@example.com", username: "octo-dev" }), added: [], removed: [], modified: [".agent-policy.yml"] };
    const payload = pushPayload({ ref: "refs/heads/master", pusher: HUMAN_PUSHER, sender: HUMAN_SENDER, commits: [commit] });
    payload.repository = { ...payload.repository, name: ".github", full_name: "Codertocat/.github" };
    await h.receive("push", payload);

    expect(posted.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
    const summary = plain(posted.body!.output.summary);
    expect(summary).toContain("agent-suspended");
    expect(summary).toContain("Workflow runs cancelled");
    expect(summary).toContain("run 951");
    expect(summary).not.toContain("run 952");
    expect(h.audit().filter((r) => r.repository === "Codertocat/Hello-World").map((r) => [r.workflowRunId ?? r.pullRequest, r.response, r.action])).toEqual([
      [951, "cancel_workflow_run", "baseline_changed"],
      [2, "check_run", "baseline_changed"],
    ]);
  });
});
