import { describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../src/audit/audit-chain.js";
import { COPILOT, DEVIN, HUMAN } from "../fixtures/github.js";
import { environmentResponse, expectAnswer, gateEvent, mockReads, noPullRequest, PLATFORM, POLICY, RUN_ID, runResponse } from "./deployment-mocks.js";
import { createHarness, REPO_PATH, expectEveryMockUsed } from "./harness.js";

describe("deployment_protection_rule.requested", () => {
  expectEveryMockUsed();

  it("approves a deployment no assistant triggered", async () => {
    const h = await createHarness();
    const answer = expectAnswer(mockReads({ run: runResponse(HUMAN) }));
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).toEqual({ environment_name: "production", state: "approved", comment: "agent-policy: approved — no AI assistant triggered this run." });
    expect(h.audit()).toEqual([
      {
        schemaVersion: 1,
        seq: 1,
        prevHash: GENESIS_HASH,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        time: "2026-11-27T12:00:00.000Z",
        deliveryId: "delivery-1",
        installationId: 1,
        repository: "Codertocat/Hello-World",
        event: "deployment_protection_rule",
        action: "requested",
        actor: { login: "Codertocat", id: 21031067 },
        ref: "master",
        agents: [],
        assets: ["environment:production"],
        decision: "allow",
        response: "deployment_approved",
        responded: true,
        mode: "enforce",
        ruleIds: [],
        findings: [],
        frameworks: { nhi: [], asi: [], csf: [] },
        approvers: [],
        target: { kind: "deployment", id: 145988746, url: "https://api.github.com/repos/Codertocat/Hello-World/deployments/145988746" },
        workflowRunId: 4242,
        policy: { source: "repository", path: ".agent-policy.yml", ref: "master", sha: "0123456789abcdef0123456789abcdef01234567", valid: true },
        severity: "info",
      },
    ]);
  });

  it("approves an agent's deployment to an allowed environment (names compared case-insensitively)", async () => {
    const h = await createHarness();
    const answer = expectAnswer(mockReads({ run: runResponse(COPILOT) }));
    await h.receive("deployment_protection_rule", gateEvent({ environment: "Staging" }));
    expect(answer.body).toEqual({ environment_name: "Staging", state: "approved", comment: "agent-policy: approved.\ncopilot (owner @\u2060Codertocat/platform) may deploy here." });
    expect(h.audit()[0]).toMatchObject({ decision: "allow", response: "deployment_approved", agents: [{ key: "copilot", declared: true }] });
  });

  it("rejects an agent's deployment to an environment it may not use, naming the rule and the agent", async () => {
    const h = await createHarness();
    const answer = expectAnswer(noPullRequest(mockReads({ run: runResponse(HUMAN, COPILOT) })));
    await h.receive("deployment_protection_rule", gateEvent({ environment: "qa" }));
    expect(answer.body).toEqual({
      environment_name: "qa",
      state: "rejected",
      comment:
        "agent-policy: rejected.\nenvironment-not-allowed: copilot (owner @\u2060Codertocat/platform) deploys to qa, which is not among its environments (staging, production).",
    });
    expect(h.audit()[0]).toMatchObject({ decision: "deny", response: "deployment_rejected", ruleIds: ["environment-not-allowed"] });
  });

  it("rejects a deployment an unregistered catalogue assistant triggered", async () => {
    const h = await createHarness();
    const answer = expectAnswer(mockReads({ run: runResponse(DEVIN) }));
    await h.receive("deployment_protection_rule", gateEvent({ environment: "staging" }));
    expect(answer.body).toMatchObject({ state: "rejected", comment: expect.stringContaining("unregistered-agent: Devin (devin, unregistered, no owner) is not declared") });
  });

  it("holds a step-up environment with a comment only, saying how to release it", async () => {
    const h = await createHarness();
    const scope = mockReads({ run: runResponse(COPILOT) });
    scope.get(`${REPO_PATH}/environments/production`).reply(200, environmentResponse([PLATFORM, { type: "User", reviewer: HUMAN }]));
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).toEqual({
      environment_name: "production",
      comment: [
        "agent-policy: held.",
        "environment-step-up: copilot (owner @\u2060Codertocat/platform) deploys to production, which needs its owner's approval, and the app cannot yet leave that to GitHub: " +
          "its required reviewers (@\u2060octo-dev, @\u2060Codertocat/platform) are not only @\u2060Codertocat/platform. The deployment is held.",
        'Make @\u2060Codertocat/platform the only required reviewer of the production environment, with "Prevent self-review" on, then cancel and re-run the workflow run; ' +
          "or have the owner move production to agents.copilot.environments.allow.",
      ].join("\n"),
    });
    expect(h.audit()[0]).toMatchObject({ decision: "step_up", response: "deployment_held", ruleIds: ["environment-step-up"], approvers: ["team:Codertocat/platform"] });
  });

  it("approves a step-up that GitHub's required reviewers enforce: only the owner, self-review prevented", async () => {
    const h = await createHarness();
    const scope = mockReads({ run: runResponse(COPILOT) });
    scope.get(`${REPO_PATH}/environments/production`).reply(200, environmentResponse([PLATFORM]));
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).toMatchObject({ environment_name: "production", state: "approved" });
    expect((answer.body as { comment: string }).comment).toContain("GitHub's required reviewers for production are only @\u2060Codertocat/platform, with self-review prevented");
    expect(h.audit()[0]).toMatchObject({ decision: "allow", response: "deployment_approved", ruleIds: ["environment-step-up"] });
  });

  it("keeps holding when self-review is not prevented", async () => {
    const h = await createHarness();
    const scope = mockReads({ run: runResponse(COPILOT) });
    scope.get(`${REPO_PATH}/environments/production`).reply(200, environmentResponse([PLATFORM], false));
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).not.toHaveProperty("state");
    expect((answer.body as { comment: string }).comment).toContain('"Prevent self-review" is off');
  });

  it("approves in audit mode and says what enforce mode would have done", async () => {
    const h = await createHarness();
    const answer = expectAnswer(noPullRequest(mockReads({ policy: `${POLICY}mode: audit\n`, run: runResponse(COPILOT) })));
    await h.receive("deployment_protection_rule", gateEvent({ environment: "qa" }));
    expect(answer.body).toMatchObject({ state: "approved", comment: expect.stringMatching(/^agent-policy \(audit mode\): approved — enforce mode would have rejected it\.\nenvironment-not-allowed: /) });
    expect(h.audit()[0]).toMatchObject({ decision: "deny", mode: "audit", response: "deployment_approved" });
  });

  it("rejects every deployment while the policy is invalid, without reading the run", async () => {
    const h = await createHarness();
    const answer = expectAnswer(mockReads({ policy: "version: 2\n" }));
    await h.receive("deployment_protection_rule", gateEvent({ environment: "staging" }));
    expect(answer.body).toEqual({
      environment_name: "staging",
      state: "rejected",
      comment: "agent-policy: rejected — .agent-policy.yml on master does not validate (policy-invalid). Deployments fail closed until this is fixed; re-run the job afterwards.",
    });
    expect(h.audit()[0]).toMatchObject({ decision: "error", response: "deployment_rejected", ruleIds: ["policy-invalid"], policy: { valid: false } });
  });

  it("rejects when the policy cannot be read", async () => {
    const h = await createHarness();
    const answer = expectAnswer(mockReads({ policy: { status: 502 } }));
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).toMatchObject({ state: "rejected", comment: expect.stringContaining("read .agent-policy.yml from master (HTTP 502)") });
    expect(h.audit()[0]).toMatchObject({ decision: "error", response: "deployment_rejected", ruleIds: ["facts-unavailable"] });
  });

  it("rejects when the run cannot be read: who triggered it is unknown", async () => {
    const h = await createHarness();
    const answer = expectAnswer(mockReads({ run: { status: 404 } }));
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).toEqual({
      environment_name: "production",
      state: "rejected",
      comment: `agent-policy: rejected — GitHub API failure while trying to read workflow run ${RUN_ID} (HTTP 404): Not Found. Deployments fail closed until this is fixed; re-run the job afterwards.`,
    });
    expect(h.audit()[0]).toMatchObject({ decision: "error", response: "deployment_rejected", error: expect.stringContaining("HTTP 404") });
  });

  it("rejects a step-up when the environment's reviewers cannot be read", async () => {
    const h = await createHarness();
    const scope = mockReads({ run: runResponse(COPILOT) });
    scope.get(`${REPO_PATH}/environments/production`).reply(403, { message: "Resource not accessible by integration" });
    const answer = expectAnswer(scope);
    await h.receive("deployment_protection_rule", gateEvent());
    expect(answer.body).toMatchObject({ state: "rejected", comment: expect.stringContaining("read the protection rules of the production environment (HTTP 403)") });
    expect(h.audit()[0]).toMatchObject({ decision: "error", response: "deployment_rejected", ruleIds: ["facts-unavailable"] });
  });

  it.each([
    ["another host", `https://evil.example.com/repos/Codertocat/Hello-World/actions/runs/${RUN_ID}/deployment_protection_rule`],
    ["another repository", `https://api.github.com/repos/octo-org/octo-repo/actions/runs/${RUN_ID}/deployment_protection_rule`],
    ["another endpoint", `https://api.github.com/repos/Codertocat/Hello-World/actions/runs/${RUN_ID}/approve`],
    ["a missing URL", ""],
  ])("refuses a callback URL for %s: no call at all, an error record", async (_name, callback) => {
    const h = await createHarness();
    await h.receive("deployment_protection_rule", gateEvent({ callback }));
    expect(h.audit()).toEqual([expect.objectContaining({ decision: "error", response: "none", severity: "critical", error: expect.stringContaining("deployment_callback_url") })]);
  });

  it("records a failed answer and lets the delivery fail, so it can be redelivered", async () => {
    const h = await createHarness();
    expectAnswer(mockReads({ run: runResponse(HUMAN) }), 500);
    await expect(h.receive("deployment_protection_rule", gateEvent())).rejects.toThrow();
    expect(h.audit()).toEqual([
      expect.objectContaining({
        decision: "allow",
        response: "deployment_approved",
        responded: false,
        responseError: expect.stringContaining("approve the deployment of run 4242 to production (HTTP 500)"),
      }),
    ]);
    expect(await h.stored()).toEqual(h.audit());
  });
});
