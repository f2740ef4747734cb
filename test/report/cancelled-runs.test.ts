import { describe, expect, it } from "vitest";
import { cancelledRunsSection, runsOfPullRequest, type CancelledRun } from "../../src/report/cancelled-runs.js";
import { liveElements, visibleText } from "./github-markdown.js";

const SHA = "a".repeat(40);
const run = (o: Partial<CancelledRun> = {}): CancelledRun => ({
  id: 901,
  workflow: ".github/workflows/ci.yml",
  url: "https://github.com/acme/widgets/actions/runs/901",
  headSha: SHA,
  headBranch: "copilot/fix",
  headRepository: "acme/widgets",
  name: "CI",
  runNumber: 12,
  waitingForDeployment: false,
  why: "copilot is suspended.",
  outcome: "cancelled",
  ...o,
});

describe("runsOfPullRequest", () => {
  it("gives a pull request the runs at its head commit and those on its head branch in its head repository", () => {
    const runs = [run(), run({ id: 902, headSha: "b".repeat(40) }), run({ id: 903, headSha: "c".repeat(40), headBranch: "copilot/other" }), run({ id: 904, headSha: "d".repeat(40), headRepository: "fork/widgets" })];
    expect(runsOfPullRequest(runs, { headSha: SHA.toUpperCase(), headRef: "copilot/fix", headRepository: "Acme/Widgets" }).map((r) => r.id)).toEqual([901, 902]);
    expect(runsOfPullRequest(runs, { headSha: "e".repeat(40), headRef: "copilot/fix" }).map((r) => r.id)).toEqual([]);
  });
});

describe("cancelledRunsSection", () => {
  it("is empty without runs", () => {
    expect(cancelledRunsSection([])).toEqual([]);
    expect(cancelledRunsSection(undefined)).toEqual([]);
  });

  it("writes what the agent controls (the run's title, its branch) inert, and links only GitHub's own page of the run", () => {
    const hostile = run({ title: "Fix [approved](https://evil.example) @acme/security #1", headBranch: "copilot/@acme/admins" });
    const forged = run({ id: 905, url: "https://evil.example/x/y/actions/runs/901", name: "CI" });
    const markdown = cancelledRunsSection([hostile, forged]).join("\n");
    expect(liveElements(markdown)).toEqual(['<a href="https://github.com/acme/widgets/actions/runs/901">', "</a>"]);
    expect(visibleText(markdown)).toContain("CI #12 “Fix [approved](https://evil.example) @acme/security #1” (run 901, .github/workflows/ci.yml) on copilot/@acme/admins at aaaaaaa: cancelled. copilot is suspended.");
  });

  it("counts the runs beyond twenty", () => {
    const lines = cancelledRunsSection(Array.from({ length: 23 }, (_, i) => run({ id: 1000 + i, url: `https://github.com/acme/widgets/actions/runs/${1000 + i}` })));
    expect(lines.filter((l) => l.startsWith("- ["))).toHaveLength(20);
    expect(lines.at(-1)).toBe("- … and 3 more runs (each is an audit record).");
  });
});
