import { describe, expect, it } from "vitest";
import { grantCouldLift, grantsWidening } from "../../../src/engine/grants/grants-for-run.js";
import { pullRequestOfRun, type PullRequestHead } from "../../../src/engine/grants/run-pull-request.js";
import type { ActiveGrant } from "../../../src/engine/grants/decide-grants.js";
import type { Finding } from "../../../src/engine/types.js";

const SHA = "a".repeat(40);
const run = { headSha: SHA, headBranch: "copilot/fix", headRepository: "acme/widgets" };
const pr = (number: number, o: Partial<PullRequestHead> = {}): PullRequestHead => ({ number, state: "open", headSha: SHA, headRef: "copilot/fix", headRepository: "acme/widgets", ...o });

describe("pullRequestOfRun: whose grants reach a run", () => {
  it("is the one open pull request headed by the run's branch and commit in the run's repository (SHA and repository without case)", () => {
    expect(pullRequestOfRun(run, [pr(2, { headSha: SHA.toUpperCase(), headRepository: "Acme/Widgets" })])).toEqual({ number: 2 });
    expect(pullRequestOfRun(run, [pr(2), pr(2)])).toEqual({ number: 2 });
  });

  it.each([
    ["another branch at the same commit", pr(2, { headRef: "copilot/other" })],
    ["a branch whose name differs in case only", pr(2, { headRef: "Copilot/Fix" })],
    ["another commit on the same branch", pr(2, { headSha: "b".repeat(40) })],
    ["a fork's branch of the same name", pr(2, { headRepository: "mallory/widgets" })],
    ["a deleted head repository", pr(2, { headRepository: undefined })],
    ["a closed pull request", pr(2, { state: "closed" })],
  ])("is none for %s", (_why, candidate) => {
    expect(pullRequestOfRun(run, [candidate])).toEqual({ none: `no open pull request has copilot/fix at ${SHA.slice(0, 7)} as its head` });
  });

  it("is none when two open pull requests share the run's branch and commit", () => {
    expect(pullRequestOfRun(run, [pr(4), pr(2)])).toEqual({ none: expect.stringContaining("2 open pull requests (#2, #4)") });
  });

  it("is none for a run on no branch, or in a repository GitHub does not name", () => {
    expect(pullRequestOfRun({ ...run, headBranch: null }, [pr(2)])).toMatchObject({ none: expect.stringContaining("on no branch") });
    expect(pullRequestOfRun({ ...run, headRepository: undefined }, [pr(2)])).toMatchObject({ none: expect.stringContaining("which repository") });
  });
});

describe("grantCouldLift and grantsWidening", () => {
  const finding = (ruleId: Finding["ruleId"], verdict: Finding["verdict"] = "deny") => ({ ruleId, verdict, asset: { kind: "workflow" as const, value: "x" }, message: "" });

  it("reads grants only when every denial is the allow list a grant widens", () => {
    expect(grantCouldLift({ findings: [finding("workflow-not-allowed")] }, "workflow-not-allowed")).toBe(true);
    expect(grantCouldLift({ findings: [finding("workflow-not-allowed"), finding("agent-suspended")] }, "workflow-not-allowed")).toBe(false);
    expect(grantCouldLift({ findings: [finding("environment-step-up", "step_up")] }, "environment-not-allowed")).toBe(false);
    expect(grantCouldLift({ findings: [] }, "workflow-not-allowed")).toBe(false);
  });

  it("keeps the grants of the run's agents that widen the kind asked for", () => {
    const grant = (agent: string, workflows: string[], environments: string[] = []): ActiveGrant => ({
      agent,
      scope: { paths: [], branches: [], workflows, environments },
      by: "lead",
      commentId: 1,
      expires: "2026-11-27T16:00:00Z",
      reason: "x",
    });
    const grants = [grant("copilot", ["deploy.yml"]), grant("copilot", [], ["qa"]), grant("devin", ["deploy.yml"])];
    expect(grantsWidening(grants, ["copilot"], "workflows")).toEqual([grants[0]]);
    expect(grantsWidening(grants, ["copilot"], "environments")).toEqual([grants[1]]);
  });
});
