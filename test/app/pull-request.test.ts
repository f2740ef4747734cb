import nock from "nock";
import { describe, expect, it } from "vitest";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry, HUMAN, pullResponse } from "../fixtures/github.js";
import { API, createHarness, mockToken, policyContent, REPO_PATH, expectEveryMockUsed, mockBaseline } from "./harness.js";
import { visibleText } from "../report/github-markdown.js";
import { HEAD, mockCreate, mockListRuns, mockReads, POLICY, type Scenario } from "./mocks.js";

const JULES = { login: "google-labs-jules[bot]", id: 161369871, type: "Bot" };

function event(user: object, action = "opened") {
  const payload = examplePayload("pull_request", "opened");
  payload.action = action;
  payload.pull_request.user = { ...payload.pull_request.user, ...user };
  payload.pull_request.head.ref = "copilot/fix";
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

const copilotCommit = () => commitEntry(HEAD, "Implement the change", { account: COPILOT, ...COPILOT_COMMITTER });
const humanCommit = () => commitEntry(HEAD, "Hand-written change", { account: HUMAN, name: "Octo Dev", email: "dev@example.com" });

async function evaluate(s: Scenario, payload = event(s.user ?? COPILOT)) {
  const h = await createHarness();
  const scope = mockReads(s);
  mockListRuns(scope, s.existingRuns);
  const posted = mockCreate(scope);
  await h.receive("pull_request", payload);
  return { body: posted.body!, audit: h.audit() };
}

describe("pull_request → Agent Policy check run", () => {
  expectEveryMockUsed();

  it("posts success for a Copilot PR inside its scope, with the exact check-run body", async () => {
    const { body } = await evaluate({ files: [fileEntry("src/app.ts"), fileEntry("test/app.test.ts", "added")], commits: [copilotCommit()] });
    // Event text is inert: Markdown escaped, and a word joiner (J) keeps GitHub from linking e-mails and SHA-like runs.
    const J = "\u2060";
    const identity = `copilot-swe-agent\\[bot\\] \\<198982${J}749+Copilot@${J}users.noreply.github.com\\> in ec26c3${J}e`;
    const evidence =
      `PR author Copilot (id 198982${J}749); event sender Copilot (id 198982${J}749); ` +
      `commit author Copilot (id 198982${J}749) as ${identity}; committer Copilot (id 198982${J}749) as ${identity}`;
    expect(body).toEqual({
      name: "Agent Policy",
      head_sha: HEAD,
      external_id: expect.stringMatching(/^agent-policy:[0-9a-f]{40}$/),
      status: "completed",
      conclusion: "success",
      completed_at: "2026-11-27T12:00:00.000Z",
      details_url: "https://github.com/Codertocat/Hello-World/pull/2",
      output: {
        title: "Compliant: copilot stayed within policy",
        summary: [
          "### Compliant: copilot stayed within policy",
          "",
          "**Policy:** `.agent-policy.yml` on `master` (blob `0123456789ab`) · **Mode:** enforce",
          "",
          "#### AI assistant activity",
          "",
          "| Agent | Owner | Registered | Evidence |",
          "|---|---|---|---|",
          `| \`copilot\` | @Codertocat/platform | yes | ${evidence} |`,
        ].join("\n"),
        text: expect.stringMatching(/^<!-- agent-policy record v1 [A-Za-z0-9_-]+ [0-9a-f]{64} -->$/),
        annotations: [],
      },
    });
  });

  it("denies out-of-scope, secret and wrong-branch changes, annotating each file, and logs one audit record", async () => {
    const files = [fileEntry("src/auth/login.ts"), fileEntry("config/.env", "added"), fileEntry("src/ok.ts")];
    const { body, audit } = await evaluate({ headRef: "feature/x", files, commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Denied: 4 findings for copilot");
    expect(body.output.annotations.map((a: any) => [a.path, a.title, a.annotation_level, a.start_line])).toEqual([
      ["config/.env", "secret-file (deny)", "failure", 1],
      ["config/.env", "path-scope (deny)", "failure", 1],
      ["src/auth/login.ts", "path-scope (deny)", "failure", 1],
    ]);
    expect(body.output.summary).toContain("| deny | `branch-scope` | copilot | @Codertocat/platform | branch `feature/x` |");
    expect(audit).toEqual([
      expect.objectContaining({
        deliveryId: "delivery-1",
        installationId: 1,
        repository: "Codertocat/Hello-World",
        event: "pull_request",
        action: "opened",
        actor: { login: "Copilot", id: 198982749 },
        pullRequest: 2,
        headSha: HEAD,
        agents: [{ key: "copilot", declared: true, owner: "@Codertocat/platform" }],
        decision: "deny",
        conclusion: "failure",
        mode: "enforce",
        ruleIds: ["branch-scope", "path-scope", "secret-file"],
        policy: { source: "repository", path: ".agent-policy.yml", ref: "master", sha: "0123456789abcdef0123456789abcdef01234567", valid: true },
        checkRunId: 77,
      }),
    ]);
  });

  it("gives a human-only PR success, so the check can be required", async () => {
    const { body, audit } = await evaluate({ user: HUMAN, files: [fileEntry("src/auth/login.ts")], commits: [humanCommit()] });
    expect(body.conclusion).toBe("success");
    expect(body.output.title).toBe("Compliant: no AI assistant activity");
    expect(audit[0]).toMatchObject({ decision: "allow", agents: [], ruleIds: [] });
  });

  it("runs in audit mode with the built-in rules when there is no policy, and says so", async () => {
    const { body } = await evaluate({ policy: null, user: JULES, files: [fileEntry("src/app.ts")], commits: [] }, event(JULES));
    expect(body.conclusion).toBe("neutral");
    expect(body.output.title).toMatch(/^Audit mode \(not blocking\): would deny: 1 finding for jules$/);
    expect(body.output.summary).toContain("Running in **audit mode with the built-in rules**");
    expect(body.output.summary).toContain("match: { catalogue: [jules] }");
  });

  it("reports a deny as neutral when the policy says mode: audit", async () => {
    const { body } = await evaluate({ policy: POLICY.replace("version: 1", "version: 1\nmode: audit"), files: [fileEntry(".env")], commits: [copilotCommit()] });
    expect(body.conclusion).toBe("neutral");
    expect(body.output.annotations[0]).toMatchObject({ path: ".env", annotation_level: "warning" });
  });

  it("fails closed with annotations at the lines when the default branch's policy is invalid", async () => {
    const broken = "version: 1\nagents:\n  copilot:\n    owner: \"@acme/platform\"\n    match: { ids: [198982749] }\n    pathz: {}\n";
    const { body, audit } = await evaluate({ policy: broken, user: HUMAN, files: [fileEntry("README.md")], commits: [humanCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe(".agent-policy.yml is invalid (1 problem): failing closed");
    expect(body.output.annotations).toEqual([
      expect.objectContaining({ path: ".agent-policy.yml", start_line: 6, end_line: 6, start_column: 5, annotation_level: "failure" }),
    ]);
    expect(body.output.annotations[0].message).toContain('"pathz"');
    expect(audit[0]).toMatchObject({ decision: "error", conclusion: "failure", ruleIds: ["policy-invalid"], policy: { valid: false } });
  });

  it("validates a PR's proposed .agent-policy.yml at its head commit, with annotations at the offending lines", async () => {
    const h = await createHarness();
    const scope = mockReads({ user: HUMAN, files: [fileEntry(".agent-policy.yml")], commits: [humanCommit()] });
    scope
      .get(`${REPO_PATH}/contents/.agent-policy.yml`)
      .query({ ref: HEAD })
      .reply(200, policyContent("version: 1\nmode: enforce\nagents:\n  devin:\n    owner: \"@acme/x\"\n    match: { ids: [158243242] }\n    expires: 2026-02-30\n"));
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", event(HUMAN));
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.title).toBe("Compliant: no AI assistant activity; the proposed .agent-policy.yml is invalid (1 problem)");
    expect(posted.body!.output.annotations).toEqual([
      expect.objectContaining({ path: ".agent-policy.yml", start_line: 7, start_column: 14, title: "policy-invalid: Proposed policy error" }),
    ]);
  });

  it("holds a PR's proposed .agent-policy.yml to the loader's 256 KiB limit, and explains a file GitHub sends without content", async () => {
    const big = `${POLICY}${"# padding\n".repeat(30_000)}`;
    const cases = [
      { content: policyContent(big), size: Buffer.byteLength(big) },
      { content: { ...policyContent(""), size: 2_000_000, encoding: "none", content: "" }, size: 2_000_000 },
    ];
    for (const c of cases) {
      const h = await createHarness();
      const scope = mockReads({ user: HUMAN, files: [fileEntry(".agent-policy.yml")], commits: [humanCommit()] });
      scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: HEAD }).reply(200, c.content);
      mockListRuns(scope);
      const posted = mockCreate(scope);
      await h.receive("pull_request", event(HUMAN));
      expect(posted.body!.conclusion).toBe("failure");
      expect(posted.body!.output.title).toBe("Compliant: no AI assistant activity; the proposed .agent-policy.yml is invalid (1 problem)");
      expect(visibleText(posted.body!.output.summary)).toContain(`.agent-policy.yml is ${c.size} bytes; the limit is 262144 bytes`);
    }
  });

  it("fails closed when GitHub cannot list the commits", async () => {
    const h = await createHarness();
    const scope = mockToken();
    mockBaseline(scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).reply(200, policyContent(POLICY), { etag: '"p1"' }), REPO_PATH);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, pullResponse({ number: 2, headSha: HEAD, headRef: "copilot/x", user: COPILOT, changedFiles: 1, commits: 1 }));
    scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(200, [fileEntry("src/a.ts")]);
    scope.get(`${REPO_PATH}/pulls/2/commits`).query({ per_page: 100 }).reply(500, { message: "Server Error" });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", event(COPILOT));
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.title).toBe("Could not verify this change: failing closed");
    expect(visibleText(posted.body!.output.summary)).toContain("GitHub API failure while trying to list the commits of pull request #2 (HTTP 500)");
    expect(h.audit()[0]).toMatchObject({ decision: "error", ruleIds: ["facts-unavailable"] });
  });

  it("fails closed when the policy cannot be read (not a 404)", async () => {
    const h = await createHarness();
    const scope = mockReads({ policy: { status: 500 }, files: [], commits: [] });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", event(HUMAN));
    expect(posted.body!.conclusion).toBe("failure");
    expect(posted.body!.output.summary).toContain("read .agent-policy.yml from master (HTTP 500)");
  });

  it("pages through every file (Link headers) and judges the last page too", async () => {
    const files = Array.from({ length: 250 }, (_, i) => fileEntry(`src/f${String(i).padStart(3, "0")}.ts`));
    files[249] = fileEntry("docs/outside.md");
    const { body } = await evaluate({ files, commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations.map((a: any) => a.path)).toEqual(["docs/outside.md"]);
  });

  it("denies a PR with more files than GitHub lists", async () => {
    const files = Array.from({ length: 300 }, (_, i) => fileEntry(`src/f${i}.ts`));
    const { body } = await evaluate({ files, changedFiles: 3500, commits: [copilotCommit()] });
    expect(body.conclusion).toBe("failure");
    expect(body.output.summary).toContain("`too-large-to-verify`");
  });

  it("reads the policy from the default branch even when the PR targets another branch", async () => {
    const { body } = await evaluate({ baseRef: "release/1.x", files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    expect(body.output.summary).toContain("`.agent-policy.yml` on `master`");
  });

  it("reuses the cached policy on a warm event (a conditional request answered 304) and the pull request the push's event carries", async () => {
    const h = await createHarness();
    const first = mockReads({ files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    mockListRuns(first);
    const one = mockCreate(first);
    await h.receive("pull_request", event(COPILOT), "d-1");
    const second = nock(API);
    mockBaseline(second.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" }).matchHeader("if-none-match", '"p1"').reply(304), REPO_PATH);
    // No read of the pull request: the event's copy is confirmed by the commits listed, and the commit's open pull requests say it is still open with this head.
    second.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(200, [fileEntry("src/b.ts")]);
    second.get(`${REPO_PATH}/pulls/2/commits`).query({ per_page: 100 }).reply(200, [copilotCommit()]);
    mockListRuns(second);
    const two = mockCreate(second);
    await h.receive("pull_request", event(COPILOT, "synchronize"), "d-2");
    expect(two.body!.output.summary).toContain("(blob `0123456789ab`)");
    expect(two.body!.conclusion).toBe(one.body!.conclusion);
  });

  it("does not post a second result for a redelivered event", async () => {
    const h = await createHarness();
    const first = mockReads({ files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    mockListRuns(first);
    const posted = mockCreate(first);
    await h.receive("pull_request", event(COPILOT), "same-delivery");
    const second = mockReads({ token: false, ifNoneMatch: '"p1"', files: [fileEntry("src/a.ts")], commits: [copilotCommit()] });
    mockListRuns(second, [{ id: 77, app: { id: 123 }, status: "completed", external_id: posted.body!.external_id, output: { text: posted.body!.output.text } }]);
    await h.receive("pull_request", event(COPILOT), "same-delivery");
    expect(h.audit().map((a) => a.checkRunId)).toEqual([77, 77]);
  });

  it("still writes the one audit record when posting the check run fails, then lets the delivery fail for redelivery", async () => {
    const h = await createHarness();
    const scope = mockReads({ headRef: "feature/x", files: [fileEntry("src/app.ts")], commits: [copilotCommit()] });
    mockListRuns(scope);
    scope.post(`${REPO_PATH}/check-runs`).reply(500, { message: "Server Error" });
    await expect(h.receive("pull_request", event(COPILOT))).rejects.toThrow('create the "Agent Policy" check run (HTTP 500)');
    expect(h.audit()).toEqual([
      expect.objectContaining({
        pullRequest: 2,
        headSha: HEAD,
        decision: "deny",
        response: "check_run",
        responded: false,
        conclusion: "failure",
        ruleIds: ["branch-scope"],
        responseError: 'could not post the check run: GitHub API failure while trying to create the "Agent Policy" check run (HTTP 500): Server Error',
      }),
    ]);
    expect(h.audit()[0].checkRunId).toBeUndefined();
    expect(await h.stored()).toEqual(h.audit());
  });

  it("posts one check run, one write, with the first 50 annotations, and says how many more findings it did not annotate", async () => {
    const h = await createHarness();
    const files = Array.from({ length: 120 }, (_, i) => fileEntry(`lib/f${String(i).padStart(3, "0")}.ts`));
    const scope = mockReads({ files, commits: [copilotCommit()] });
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", event(COPILOT));
    expect(posted.body!.output.annotations).toHaveLength(50);
    expect(posted.body!.output.annotations[0].path).toBe("lib/f000.ts");
    expect(posted.body!.output.summary).toContain("The first 50 annotations are shown at their files; 70 more are not");
    expect(h.audit()[0]).toMatchObject({ response: "check_run" });
    expect(h.audit()[0].findingsOmitted).toBeUndefined();
    expect(h.audit()[0].findings).toHaveLength(120);
  });
});
