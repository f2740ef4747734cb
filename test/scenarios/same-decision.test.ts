import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { createHarness, expectEveryMockUsed, NOW, policyContent, REPO_PATH } from "../app/harness.js";
import { HEAD, mockApprovalReads, mockCreate, mockListRuns, mockReads, pagedReply } from "../app/mocks.js";
import { blobSha, mockFile } from "../app/workflow-mocks.js";
import { TempRepo, type Change } from "../cli/git-repo.js";
import { captureIo } from "../cli/io.js";
import { examplePayload } from "../fixtures/github.js";
import { applyCommits, entrySha, githubCommits, githubFiles, loadScenarios, scenarioBaseline, SCENARIO_POLICY, type ChangeScenario } from "../fixtures/scenarios.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isActionFile, isWorkflowFile } from "../../src/engine/workflow-document.js";

const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const MERGE_BASE = "3e1c0ffee3e1c0ffee3e1c0ffee3e1c0ffee3e1c";

/** What both sides must agree on: the verdict, the assistants, and each finding's rule, verdict, asset and agent. */
interface Judgement {
  verdict: string;
  agents: string[];
  findings: [string, string, string, string | undefined][];
}

const dirOf = (path: string): string => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

/** The app: a `pull_request.opened` webhook through Probot, GitHub's API answered with the scenario; the judgement read from the audit record. */
async function judgeWithApp(s: ChangeScenario): Promise<Judgement> {
  const h = await createHarness();
  const baseline = scenarioBaseline(s);
  const scope = mockReads({
    policy: SCENARIO_POLICY,
    ...(baseline !== undefined ? { baseline: { status: 200, body: policyContent(baseline, blobSha(baseline)), etag: '"baseline"' } } : {}),
    user: s.author,
    headRef: s.branch,
    files: githubFiles(s),
    commits: githubCommits(s),
  });
  // Changed workflow and action files are read at the merge base and at the head, for the workflow-escalation rule.
  const { before, after } = applyCommits(s);
  const workflows = [...after.keys()].filter((p) => (isWorkflowFile(p) || isActionFile(p)) && after.get(p)?.text !== before.get(p)?.text);
  if (workflows.length > 0) {
    scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } });
    for (const path of workflows) {
      if (before.has(path)) mockFile(scope, REPO_PATH, path, MERGE_BASE, before.get(path)!.text!);
      mockFile(scope, REPO_PATH, path, HEAD, after.get(path)!.text!);
    }
  }
  // A rename GitHub lists without a diff is proven unchanged by the blob at the merge base (a directory listing).
  const files = githubFiles(s);
  const renamedDirs = new Set(files.filter((f) => f.status === "renamed" && f.patch === undefined).map((f) => dirOf(String(f.previous_filename))));
  if (renamedDirs.size > 0) {
    scope.get(`${REPO_PATH}/compare/${BASE_SHA}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } });
    for (const dir of renamedDirs) {
      const listed = [...before].filter(([path]) => dirOf(path) === dir);
      scope
        .get(dir === "" ? `${REPO_PATH}/contents` : `${REPO_PATH}/contents/${encodeURIComponent(dir)}`)
        .query({ ref: MERGE_BASE })
        .reply(200, listed.map(([path, entry]) => ({ name: path.slice(dir ? dir.length + 1 : 0), path, type: "file", sha: entrySha(entry) })));
    }
  }
  // Any step-up reads the reviews and who pushed the head branch; a pending one reads the reviews again right before posting.
  if (s.expected.findings.some(([, verdict]) => verdict === "step_up")) mockApprovalReads(scope, [], [], s.branch);
  if (s.expected.verdict === "step_up") {
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, []);
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
  }
  mockListRuns(scope);
  mockCreate(scope);
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...s.author };
  payload.sender = { ...payload.sender, ...s.author };
  await h.receive("pull_request", payload);
  const [record] = h.audit();
  return {
    verdict: record.decision,
    agents: record.agents.map((a: { key: string }) => a.key),
    findings: record.findings.map((f: { ruleId: string; verdict: string; asset: string; agent?: string }) => [f.ruleId, f.verdict, f.asset, f.agent]),
  };
}

/** The CLI: the same change committed to a real git repository, judged by `agent-policy check` as the same author. */
async function judgeWithCli(s: ChangeScenario): Promise<Judgement> {
  const repo = new TempRepo();
  repo.commit("base", { ".agent-policy.yml": SCENARIO_POLICY, ...s.base });
  repo.git("checkout", "-q", "-b", s.branch);
  for (const commit of s.commits) {
    const changes: Record<string, Change> = {};
    for (const [path, change] of Object.entries(commit.changes)) {
      changes[path] = change !== null && typeof change === "object" && "binary" in change ? Buffer.from(change.binary, "base64") : change;
    }
    repo.commit(commit.message, changes, { name: commit.author.name, email: commit.author.email });
  }
  const io = captureIo({ cwd: repo.dir, now: () => NOW });
  const baseline = scenarioBaseline(s);
  const baselineArgs: string[] = [];
  if (baseline !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), "agent-policy-scenario-")), "baseline.yml");
    writeFileSync(file, baseline);
    // The app judges Codertocat/Hello-World (the webhook example's repository): the CLI names the same one for repository scopes.
    baselineArgs.push("--baseline", file, "--repo", "Codertocat/Hello-World");
  }
  const code = await runCli(["check", "--actor", s.author.login, "--actor-id", String(s.author.id), "--base", "main", ...baselineArgs, "--format", "json"], io);
  expect(io.err).toBe("");
  const json = JSON.parse(io.out);
  expect(code).toBe(json.exitCode);
  return {
    verdict: json.verdict,
    agents: json.decision.agents.map((a: { key: string }) => a.key),
    findings: json.decision.findings.map((f: any) => [f.ruleId, f.verdict, `${f.asset.kind}:${f.asset.value}`, f.agent]),
  };
}

describe("one scenario set, two shells: the app and the CLI reach the same decision", { timeout: 60_000 }, () => {
  expectEveryMockUsed();

  for (const scenario of loadScenarios()) {
    it(`${scenario.name}: ${scenario.description}`, async () => {
      const app = await judgeWithApp(scenario);
      const cli = await judgeWithCli(scenario);
      expect(cli).toEqual(app);
      expect(app).toEqual(scenario.expected);
    });
  }
});
