import nock from "nock";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../src/audit/audit-chain.js";
import { COPILOT, COPILOT_COMMITTER, DEVIN, HUMAN, workflowRunRequestedPayload } from "../fixtures/github.js";
import { createHarness, mockBaseline, mockToken, policyContent, expectEveryMockUsed } from "./harness.js";
import { mockFile, mockListing } from "./workflow-mocks.js";

const REPO = "/repos/octo-org/octo-repo";
const RUN_ID = 289782451;
const HEAD_SHA = "3484a3fb816e0859fd6e1cea078d76385ff50625";
const POLICY = `version: 1
agents:
  copilot:
    owner: "@octo-org/platform"
    match: { ids: [198982749] }
    workflows: { allow: ["ci.yml"] }
`;

/** The real `workflow_run.requested` example (repository octo-org/octo-repo, workflow .github/workflows/test.yml). */
function runEvent(actors: { actor?: object; triggering?: object; path?: string; author?: object } = {}) {
  const payload = workflowRunRequestedPayload();
  const run = payload.workflow_run;
  if (actors.actor) run.actor = { ...run.actor, ...actors.actor };
  if (actors.triggering) run.triggering_actor = { ...run.triggering_actor, ...actors.triggering };
  if (actors.path) run.path = actors.path;
  if (actors.author) run.head_commit.author = actors.author;
  return payload;
}

const byCopilot = { actor: COPILOT, triggering: COPILOT };

function mockPolicy(reply: string | { status: number } = POLICY) {
  const scope = mockToken();
  const contents = scope.get(`${REPO}/contents/.agent-policy.yml`).query({ ref: "master" });
  if (typeof reply === "string") mockBaseline(contents.reply(200, policyContent(reply), { etag: '"p1"' }), REPO);
  else contents.reply(reply.status, { message: "Server Error" });
  return scope;
}

/** The run's commit heads no pull request: no grant can reach the run (read because only its allow list denies it). */
function noPullRequest(scope: nock.Scope) {
  scope.get(`${REPO}/commits/${HEAD_SHA}/pulls`).query({ per_page: 100 }).reply(200, []);
  return scope;
}

function expectCancel(scope: nock.Scope, status = 202) {
  scope.post(`${REPO}/actions/runs/${RUN_ID}/cancel`).reply(status, status === 409 ? { message: "Cannot cancel a workflow run that is completed." } : {});
}

describe("workflow_run.requested", () => {
  expectEveryMockUsed();

  it("leaves a person's run alone: one policy read, no write, no audit record", async () => {
    const h = await createHarness();
    mockPolicy();
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([]);
  });

  it("does not treat a run as the agent's because its head commit is the agent's (a person pushed it)", async () => {
    const h = await createHarness();
    mockPolicy();
    await h.receive("workflow_run", runEvent({ actor: HUMAN, triggering: HUMAN, author: { name: "Copilot", email: COPILOT_COMMITTER.email } }));
    expect(h.audit()).toEqual([]);
  });

  it("lets an agent run a workflow it is allowed, and records it", async () => {
    const h = await createHarness();
    const ci = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
    const scope = mockPolicy();
    mockFile(scope, REPO, ".github/workflows/ci.yml", "3484a3fb816e0859fd6e1cea078d76385ff50625", ci);
    mockListing(scope, REPO, ".github/workflows", "master", { "ci.yml": ci });
    await h.receive("workflow_run", runEvent({ ...byCopilot, path: ".github/workflows/ci.yml" }));
    expect(h.audit()).toEqual([
      expect.objectContaining({ event: "workflow_run", action: "requested", decision: "allow", response: "none", ruleIds: [], agents: [{ key: "copilot", declared: true, owner: "@octo-org/platform" }] }),
    ]);
  });

  it("cancels a workflow the agent may not run, and records the cancellation", async () => {
    const h = await createHarness();
    expectCancel(noPullRequest(mockPolicy()));
    await h.receive("workflow_run", runEvent({ ...byCopilot, author: { name: "Copilot", email: COPILOT_COMMITTER.email } }));
    const [record] = h.audit();
    expect(record).toEqual({
      schemaVersion: 1,
      seq: 1,
      prevHash: GENESIS_HASH,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      time: "2026-11-27T12:00:00.000Z",
      deliveryId: "delivery-1",
      installationId: 1,
      repository: "octo-org/octo-repo",
      event: "workflow_run",
      action: "requested",
      actor: { login: "Copilot", id: 198982749 },
      headSha: "3484a3fb816e0859fd6e1cea078d76385ff50625",
      ref: "master",
      agents: [{ key: "copilot", declared: true, owner: "@octo-org/platform" }],
      assets: ["workflow:.github/workflows/test.yml"],
      decision: "deny",
      response: "cancel_workflow_run",
      responded: true,
      mode: "enforce",
      ruleIds: ["workflow-not-allowed"],
      findings: [
        {
          ruleId: "workflow-not-allowed",
          verdict: "deny",
          asset: "workflow:.github/workflows/test.yml",
          agent: "copilot",
          controls: ["NHI5", "NHI6", "ASI02", "ASI05", "PR.AA-05"],
        },
      ],
      frameworks: { nhi: ["NHI5", "NHI6"], asi: ["ASI02", "ASI05"], csf: ["PR.AA-05"] },
      approvers: [],
      target: { kind: "workflow_run", id: RUN_ID, url: "https://github.com/octo-org/octo-repo/actions/runs/289782451" },
      workflowRunId: RUN_ID,
      policy: { source: "repository", path: ".agent-policy.yml", ref: "master", sha: "0123456789abcdef0123456789abcdef01234567", valid: true },
      severity: "info",
    });
    expect(await h.stored()).toEqual([record]);
    expect(h.logs.find((l) => l.audit)).toMatchObject({ cancel: "cancelled", workflow: ".github/workflows/test.yml" });
  });

  it("records a run that completed before it could be cancelled (409) without failing", async () => {
    const h = await createHarness();
    expectCancel(noPullRequest(mockPolicy()), 409);
    await h.receive("workflow_run", runEvent(byCopilot));
    expect(h.audit()).toEqual([expect.objectContaining({ decision: "deny", response: "cancel_workflow_run" })]);
    expect(h.audit()[0].error).toBeUndefined();
    expect(h.logs.find((l) => l.audit)).toMatchObject({ cancel: "already_completed" });
  });

  it("cancels a run an unregistered catalogue assistant triggered (a re-run by Devin)", async () => {
    const h = await createHarness();
    expectCancel(mockPolicy());
    await h.receive("workflow_run", runEvent({ actor: HUMAN, triggering: DEVIN, path: ".github/workflows/ci.yml" }));
    expect(h.audit()[0]).toMatchObject({ decision: "deny", response: "cancel_workflow_run", ruleIds: ["unregistered-agent"], agents: [{ key: "devin", declared: false }] });
  });

  it("only reports in audit mode", async () => {
    const h = await createHarness();
    noPullRequest(mockPolicy(`${POLICY}mode: audit\n`));
    await h.receive("workflow_run", runEvent(byCopilot));
    expect(h.audit()).toEqual([expect.objectContaining({ decision: "deny", mode: "audit", response: "none", ruleIds: ["workflow-not-allowed"] })]);
  });

  it("fails closed on an invalid policy: cancels a catalogue agent's run, records the error", async () => {
    const h = await createHarness();
    expectCancel(mockPolicy("version: 1\nagents: { copilot: { owner: nobody } }\n"));
    await h.receive("workflow_run", runEvent(byCopilot));
    expect(h.audit()).toEqual([
      expect.objectContaining({ decision: "error", response: "cancel_workflow_run", ruleIds: ["policy-invalid"], agents: [{ key: "copilot-coding-agent", declared: false }], policy: expect.objectContaining({ valid: false }) }),
    ]);
  });

  it("never cancels a person's run, even on an invalid policy, but records the error", async () => {
    const h = await createHarness();
    mockPolicy("version: 2\n");
    await h.receive("workflow_run", runEvent());
    expect(h.audit()).toEqual([expect.objectContaining({ decision: "error", response: "none", ruleIds: ["policy-invalid"], agents: [] })]);
  });

  it("fails closed when the policy cannot be read: cancels the agent's run", async () => {
    const h = await createHarness();
    expectCancel(mockPolicy({ status: 502 }));
    await h.receive("workflow_run", runEvent(byCopilot));
    expect(h.audit()).toEqual([
      expect.objectContaining({
        decision: "error",
        response: "cancel_workflow_run",
        ruleIds: ["facts-unavailable"],
        error: expect.stringContaining("GitHub API failure while trying to read .agent-policy.yml from master (HTTP 502)"),
      }),
    ]);
  });

  it("records a failed cancellation and lets the delivery fail, so it can be redelivered", async () => {
    const h = await createHarness();
    expectCancel(noPullRequest(mockPolicy()), 500);
    await expect(h.receive("workflow_run", runEvent(byCopilot))).rejects.toThrow();
    expect(h.audit()).toEqual([
      expect.objectContaining({
        decision: "deny",
        response: "cancel_workflow_run",
        responded: false,
        responseError: expect.stringContaining(`cancel workflow run ${RUN_ID} (HTTP 500)`),
      }),
    ]);
    expect(await h.stored()).toEqual(h.audit());
  });

  describe("when the policy cannot be used, any bot that is not a known non-assistant", () => {
    const UNKNOWN_BOT = { login: "acme-release[bot]", id: 90000001, type: "Bot" };

    it("has its run cancelled when the policy cannot be read: it may be an assistant the policy declares", async () => {
      const h = await createHarness();
      expectCancel(mockPolicy({ status: 502 }));
      await h.receive("workflow_run", runEvent({ actor: UNKNOWN_BOT, triggering: UNKNOWN_BOT, path: ".github/workflows/ci.yml" }));
      expect(h.audit()).toEqual([
        expect.objectContaining({
          decision: "error",
          response: "cancel_workflow_run",
          ruleIds: ["facts-unavailable"],
          agents: [{ key: "acme-release[bot]", declared: false }],
        }),
      ]);
    });

    it("has its run cancelled when the policy is invalid, also when it only re-ran a person's run", async () => {
      const h = await createHarness();
      expectCancel(mockPolicy("version: 2\n"));
      await h.receive("workflow_run", runEvent({ actor: HUMAN, triggering: UNKNOWN_BOT }));
      expect(h.audit()).toEqual([
        expect.objectContaining({ decision: "error", response: "cancel_workflow_run", ruleIds: ["policy-invalid"], agents: [{ key: "acme-release[bot]", declared: false }] }),
      ]);
    });

    it.each([
      ["Dependabot", { login: "dependabot[bot]", id: 49699333, type: "Bot" }],
      ["Renovate", { login: "renovate[bot]", id: 29139614, type: "Bot" }],
      ["GitHub Actions", { login: "github-actions[bot]", id: 41898282, type: "Bot" }],
    ])("but not %s, a known non-assistant: its run goes ahead, and the error is recorded", async (_name, bot) => {
      const h = await createHarness();
      mockPolicy({ status: 502 });
      await h.receive("workflow_run", runEvent({ actor: bot, triggering: bot }));
      expect(h.audit()).toEqual([expect.objectContaining({ decision: "error", response: "none", ruleIds: ["facts-unavailable"], agents: [] })]);
    });

    it("is left alone while the policy can be read and does not declare it", async () => {
      const h = await createHarness();
      mockPolicy();
      await h.receive("workflow_run", runEvent({ actor: UNKNOWN_BOT, triggering: UNKNOWN_BOT }));
      expect(h.audit()).toEqual([]);
    });
  });
});
