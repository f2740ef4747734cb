import nock from "nock";
import { describe, expect, it } from "vitest";
import { inert } from "../../src/report/inert.js";
import { commitEntry, COPILOT, examplePayload, fileEntry, HUMAN } from "../fixtures/github.js";
import { CheckRuns } from "./check-runs.js";
import { API, createHarness, expectEveryMockUsed, REPO_PATH, mockBaseline } from "./harness.js";
import { HEAD, mockPullsOfCommit, mockReads, type Scenario } from "./mocks.js";

const BEFORE = "2222222222222222222222222222222222222222";
const humanCommit = () => commitEntry(HEAD, "Hand-written change", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" });
/** A human's pull request from `feature/x`: only an agent acting on it makes it an agent's change. */
const humanPull: Scenario = { user: HUMAN, headRef: "feature/x", files: [fileEntry("src/app.ts")], commits: [humanCommit()] };
/** As the check's evidence column shows it (event text is written inert: long digit runs are broken up). */
const ON_RECORD = inert("on record for this commit as event sender Copilot (id 198982749)");

function pullEvent(action: string, sender: object, before?: string) {
  const payload = examplePayload("pull_request", "opened");
  payload.action = action;
  payload.pull_request.head.sha = HEAD;
  payload.pull_request.head.ref = "feature/x";
  payload.pull_request.user = { ...payload.pull_request.user, ...HUMAN };
  payload.sender = { ...payload.sender, ...sender };
  if (before) payload.before = before;
  return payload;
}

function rerunEvent() {
  const payload = examplePayload("check_run", "rerequested");
  payload.repository = pullEvent("opened", HUMAN).repository;
  payload.installation = { id: 1 };
  payload.check_run.head_sha = HEAD;
  payload.check_run.app = { ...payload.check_run.app, id: 123 };
  payload.check_run.pull_requests = [{ number: 2 }];
  payload.sender = { ...payload.sender, ...HUMAN };
  return payload;
}

/** One evaluation of the human's pull request against the stored runs. */
function mockEvaluation(runs: CheckRuns, first: boolean, extra?: (scope: nock.Scope) => void, posts = true, pullReads = 1) {
  const scope = mockReads({ ...humanPull, token: first, pullReads });
  runs.list(scope);
  mockPullsOfCommit(scope, HEAD, [2]);
  extra?.(scope);
  if (posts) runs.create(scope);
  return scope;
}

/** Copilot pushes a human-authored commit: it is seen only as the `synchronize` sender, and denied (branch scope). */
async function copilotPushes(h: Awaited<ReturnType<typeof createHarness>>, runs: CheckRuns) {
  // A push's event carries the pull request, and the commits listed end at its head: it is not read.
  mockEvaluation(runs, true, (scope) => runs.list(scope, BEFORE), true, 0);
  await h.receive("pull_request", pullEvent("synchronize", COPILOT, BEFORE), "d-sync");
  const run = runs.verdict();
  expect(run).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot" } });
  expect(run.output.summary).toContain(inert("event sender Copilot (id 198982749)"));
}

describe("evidence that sticks: agents identified on a commit stay on record for it", () => {
  expectEveryMockUsed();

  it("keeps the synchronize sender in a human's later edit of the pull request, and in a re-run", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await copilotPushes(h, runs);

    mockEvaluation(runs, false);
    await h.receive("pull_request", pullEvent("edited", HUMAN), "d-edit");
    expect(runs.verdict()).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot" } });
    expect(runs.verdict().output.summary).toContain(ON_RECORD);

    // The re-run reaches the same verdict on the same record: the run in place already says it.
    mockEvaluation(runs, false, undefined, false);
    await h.receive("check_run", rerunEvent(), "d-rerun");
    expect(runs.verdict().conclusion).toBe("failure");
    expect(h.audit().at(-1)).toMatchObject({ event: "check_run", conclusion: "failure", checkRunId: runs.verdict().id });
    expect(h.audit().map((a) => [a.event, a.decision, a.agents.map((x: { key: string }) => x.key)])).toEqual([
      ["pull_request", "deny", ["copilot"]],
      ["pull_request", "deny", ["copilot"]],
      ["check_run", "deny", ["copilot"]],
    ]);
  });

  it("keeps it across a restart: the record is read back from the app's own check run", async () => {
    const runs = new CheckRuns();
    await copilotPushes(await createHarness(), runs);
    const restarted = await createHarness();
    mockEvaluation(runs, true);
    await restarted.receive("pull_request", pullEvent("edited", HUMAN), "d-edit");
    expect(runs.verdict().conclusion).toBe("failure");
    expect(runs.verdict().output.summary).toContain(ON_RECORD);
  });

  it("carries the actors of the previous head over to the commit a human pushes on top", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await copilotPushes(h, runs);
    // The human pushes a new head; the previous head's record comes along.
    const NEXT = "3333333333333333333333333333333333333333";
    const scope = nock(API);
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(304), REPO_PATH);
    scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(200, [fileEntry("src/app.ts")]);
    scope.get(`${REPO_PATH}/pulls/2/commits`).query({ per_page: 100 }).reply(200, [humanCommit(), commitEntry(NEXT, "More", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" })]);
    runs.list(scope, NEXT);
    runs.list(scope, HEAD);
    mockPullsOfCommit(scope, NEXT, [2]);
    runs.create(scope);
    const payload = pullEvent("synchronize", HUMAN, HEAD);
    payload.pull_request.head.sha = NEXT;
    await h.receive("pull_request", payload, "d-sync-2");
    expect(runs.verdict(NEXT).conclusion).toBe("failure");
    expect(runs.verdict(NEXT).output.summary).toContain(ON_RECORD);
  });

  it("ignores a run another app named Agent Policy, whatever record it claims to carry", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await copilotPushes(h, runs);
    const ours = runs.verdict();
    runs.addForeign({ conclusion: "success", external_id: ours.external_id, output: { title: "Compliant", summary: "", text: "<!-- agent-policy record v1 e30 " + "0".repeat(64) + " -->" } });

    mockEvaluation(runs, false);
    await h.receive("pull_request", pullEvent("edited", HUMAN), "d-edit");
    expect(runs.verdict().conclusion).toBe("failure");
    expect(runs.verdict().output.summary).toContain(ON_RECORD);
  });

  it("fails closed when the app's own record does not verify (it was altered)", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await copilotPushes(h, runs);
    const ours = runs.verdict();
    const [, body, mac] = /record v1 (\S+) (\S+) -->/.exec(ours.output.text)!;
    const altered = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"));
    altered.actors = [];
    ours.output.text = `<!-- agent-policy record v1 ${Buffer.from(JSON.stringify(altered)).toString("base64url")} ${mac} -->`;

    const scope = mockReads({ ...humanPull, token: false, pullReads: 1 });
    runs.list(scope);
    mockPullsOfCommit(scope, HEAD, [2]);
    runs.list(scope); // read again when the verdict is posted
    runs.create(scope);
    await h.receive("pull_request", pullEvent("edited", HUMAN), "d-edit");
    const run = runs.verdict();
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Could not verify this change: failing closed");
    expect(run.output.summary).toContain(`could not use this commit's record: the record on check run ${ours.id} cannot be used: the record's seal does not verify`);
    expect(run.output.text).toBeUndefined();
    expect(h.audit().at(-1)).toMatchObject({ decision: "error", conclusion: "failure", ruleIds: ["facts-unavailable"] });
  });

  it("fails closed when the record cannot be read, and finds the record again behind the run it posted then", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    await copilotPushes(h, runs);

    const outage = mockReads({ ...humanPull, token: false, pullReads: 1 });
    runs.listFails(outage, 502);
    runs.listFails(outage, 502);
    mockPullsOfCommit(outage, HEAD, [2]);
    runs.create(outage);
    await h.receive("pull_request", pullEvent("edited", HUMAN), "d-outage");
    expect(runs.verdict()).toMatchObject({ conclusion: "failure", output: { title: "Could not verify this change: failing closed" } });
    expect(runs.verdict().output.summary).toContain(inert('list the "Agent Policy" check runs on ec26c3e (HTTP 502)'));

    // The newest run carries no record: the app looks further back and finds Copilot again.
    const scope = mockReads({ ...humanPull, token: false });
    runs.list(scope);
    runs.list(scope, HEAD, "all");
    mockPullsOfCommit(scope, HEAD, [2]);
    runs.create(scope);
    await h.receive("pull_request", pullEvent("edited", HUMAN), "d-after");
    expect(runs.verdict()).toMatchObject({ conclusion: "failure", output: { title: "Denied: 1 finding for copilot" } });
    expect(runs.verdict().output.summary).toContain(ON_RECORD);
  });
});
