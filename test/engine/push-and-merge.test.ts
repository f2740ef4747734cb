import { describe, expect, it } from "vitest";
import { decideMerge } from "../../src/engine/decide-merge.js";
import { describeRule } from "../../src/engine/evaluate-policy.js";
import { isProtectedBranch } from "../../src/engine/protected-branch.js";
import type { Actor, PushFacts } from "../../src/engine/types.js";
import { actor, commit, devinPolicy, evaluate, file, makeFacts, NOW, summarize, who } from "./fixtures.js";

const AFTER = "b".repeat(40);

/** Facts of a push by Devin to `feature/x` of acme/widgets (default branch `main`). */
function pushFacts(overrides: Partial<PushFacts> = {}): PushFacts {
  const files = overrides.files ?? [file("src/app.ts")];
  return {
    kind: "push",
    repository: { owner: "acme", name: "widgets", defaultBranch: "main" },
    ref: `refs/heads/${overrides.headRef ?? "feature/x"}`,
    refType: "branch",
    headRef: "feature/x",
    headSha: AFTER,
    before: "a".repeat(40),
    created: false,
    deleted: false,
    forced: false,
    actors: [actor("pusher", { name: "devin-ai-integration[bot]" }), actor("sender", who.devin)],
    commits: [],
    commitsComplete: true,
    changedFiles: files.length,
    filesComplete: true,
    policyPaths: [".agent-policy.yml"],
    ...overrides,
    files,
  };
}

describe("isProtectedBranch", () => {
  const policy = devinPolicy({}, { protected_branches: ["release/*", "prod"] });
  it.each([
    ["main", true, "the default branch always"],
    ["Main", true, "the default branch, whatever the case"],
    ["release/1.x", true, "a protected_branches glob"],
    ["Release/1.x", true, "globs match case-insensitively"],
    ["release/1.x/hotfix", false, "`*` stays within one segment"],
    ["PROD", true, "an exact name, case-insensitively"],
    ["feature/x", false, "any other branch"],
  ])("%s → %s (%s)", (branch, expected) => {
    expect(isProtectedBranch(policy, branch, "main")).toBe(expected);
  });
});

describe("push-to-protected-branch", () => {
  const policy = devinPolicy({ paths: { allow: ["**"] } }, { protected_branches: ["release/*"] });
  const only = (lines: string[]) => lines.filter((l) => l.startsWith("push-to-protected-branch"));

  it.each([
    ["a push to the default branch", { headRef: "main" }, "pushed to the protected branch main (the default branch)"],
    ["a force-push", { headRef: "main", forced: true }, "force-pushed to the protected branch main (the default branch)"],
    ["a created protected branch", { headRef: "release/2", created: true }, "created the protected branch release/2 (protected_branches: release/*)"],
    ["a deleted protected branch", { headRef: "release/1", deleted: true, files: [] }, "deleted the protected branch release/1 (protected_branches: release/*)"],
  ])("%s is a deny finding per assistant", (_name, overrides, what) => {
    const decision = evaluate(policy, pushFacts(overrides));
    expect(decision.verdict).toBe("deny");
    const finding = decision.findings.find((f) => f.ruleId === "push-to-protected-branch");
    expect(finding).toMatchObject({ verdict: "deny", agent: "devin", owner: "@acme/platform", asset: { kind: "branch" } });
    expect(finding?.message).toBe(`devin (owner @acme/platform) ${what}; assistants must go through a reviewed pull request.`);
    expect(finding?.remedy).toMatch(/^@acme\/platform: review the pushed commits/);
  });

  it("is silent for other branches, tags, pull requests and human pushes", () => {
    expect(only(summarize(evaluate(policy, pushFacts())))).toEqual([]);
    expect(only(summarize(evaluate(policy, pushFacts({ headRef: "main", refType: "tag", ref: "refs/tags/main" }))))).toEqual([]);
    expect(only(summarize(evaluate(policy, makeFacts({ actors: [actor("pr_author", who.devin)], headRef: "main" }))))).toEqual([]);
    const human = pushFacts({ headRef: "main", actors: [actor("sender", who.alice)] });
    expect(evaluate(policy, human).findings).toEqual([]);
  });

  it("catches an assistant seen only in a pushed commit's co-author trailer, as an unregistered agent too", () => {
    const trailer = commit({ message: "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>" });
    const facts = pushFacts({ headRef: "main", actors: [actor("pusher", { name: "alice" }), actor("sender", who.alice)], commits: [trailer] });
    expect(summarize(evaluate(policy, facts))).toEqual([
      "unregistered-agent deny claude-code claude-code",
      "push-to-protected-branch deny main claude-code",
    ]);
    const finding = evaluate(policy, facts).findings.find((f) => f.ruleId === "push-to-protected-branch");
    expect(finding?.message).toBe(
      "Commits by Claude Code (claude-code, unregistered, no owner) were pushed to the protected branch main (the default branch) by another account, not merged from a reviewed pull request.",
    );
    expect(finding?.remedy).toBe(
      "Review the pushed commits and revert what was not reviewed; then bring the assistant's work through a pull request, and require one for this branch with a branch ruleset.",
    );
  });

  it("leaves GitHub's merge of a pull request to merge-by-agent: neither an incident nor branch scope", () => {
    const scoped = devinPolicy({ paths: { allow: ["**"] }, branches: ["devin/**"] });
    const squash = commit({ author: who.devin, message: "Clean up (#7)" });
    const direct = pushFacts({ headRef: "main", actors: [actor("sender", who.alice)], commits: [squash], files: [] });
    expect(evaluate(scoped, { ...direct, mergedPullRequest: 7 }).findings).toEqual([]);
    expect(summarize(evaluate(scoped, direct))).toEqual([
      "branch-scope deny main devin",
      "push-to-protected-branch deny main devin",
    ]);
  });
});

describe("push evaluation", () => {
  it("judges a push's files and branch like a pull request's", () => {
    const policy = devinPolicy({ branches: ["devin/**"] });
    const facts = pushFacts({ files: [file("src/auth/login.ts"), file(".env", { status: "added" }), file("src/ok.ts")] });
    expect(summarize(evaluate(policy, facts))).toEqual([
      "secret-file deny .env devin",
      "path-scope deny .env devin",
      "path-scope deny src/auth/login.ts devin",
      "branch-scope deny feature/x devin",
    ]);
  });

  it("does not apply branch scope to a pushed tag", () => {
    const policy = devinPolicy({ branches: ["devin/**"] });
    expect(evaluate(policy, pushFacts({ refType: "tag", ref: "refs/tags/v1", headRef: "v1" })).findings).toEqual([]);
  });

  it("denies a push whose compare listing may be cut short, naming the push", () => {
    const decision = evaluate(devinPolicy(), pushFacts({ filesComplete: false }));
    expect(decision.findings.map((f) => [f.ruleId, f.asset.value, f.message, f.remedy])).toEqual([
      [
        "too-large-to-verify",
        "push to feature/x (bbbbbbb)",
        "GitHub's compare lists 1 files of the push to feature/x (bbbbbbb) and may have left out more (it gives no total), so the changes of devin (owner @acme/platform) cannot all be checked.",
        "Split the change into smaller pushes.",
      ],
    ]);
    expect(summarize(evaluate(devinPolicy(), pushFacts({ commitsComplete: false })))).toEqual(["too-large-to-verify deny push to feature/x (bbbbbbb) devin"]);
  });
});

describe("merge-by-agent", () => {
  const pr = (actors: Actor[]) => makeFacts({ actors, files: [], changedFiles: 0 });

  it("is an incident when an assistant merged or enabled auto-merge", () => {
    const merged = decideMerge(devinPolicy(), pr([actor("merged_by", who.devin)]), { now: NOW });
    expect(merged.verdict).toBe("deny");
    expect(merged.findings.map((f) => [f.ruleId, f.agent, f.asset.value, f.message])).toEqual([
      ["merge-by-agent", "devin", "pull request #7", "devin (owner @acme/platform) merged pull request #7 into main; only a human may merge."],
    ]);
    const auto = decideMerge(devinPolicy(), pr([actor("auto_merge_enabler", who.devin)]), { now: NOW });
    expect(auto.findings[0]?.message).toBe("devin (owner @acme/platform) enabled auto-merge of pull request #7 into main; only a human may merge.");
    expect(auto.agents[0]?.evidence.map((e) => e.detail)).toEqual(["auto-merge enabled by devin-ai-integration[bot] (id 158243242)"]);
  });

  it("adds the grant findings of an unregistered, expired or suspended merger", () => {
    const jules = decideMerge(devinPolicy(), pr([actor("merged_by", who.jules)]), { now: NOW });
    expect(summarize(jules)).toEqual(["unregistered-agent deny jules jules", "merge-by-agent deny pull request #7 jules"]);
    const suspended = decideMerge(devinPolicy({ suspended: true }), pr([actor("merged_by", who.devin)]), { now: NOW });
    expect(summarize(suspended)).toEqual(["agent-suspended deny devin devin", "merge-by-agent deny pull request #7 devin"]);
  });

  it("allows a human's merge of an assistant's pull request", () => {
    const decision = decideMerge(devinPolicy(), pr([actor("merged_by", who.alice)]), { now: NOW });
    expect(decision).toMatchObject({ verdict: "allow", agentActivity: false, findings: [] });
    const byRoleOnly = evaluate(devinPolicy(), makeFacts({ actors: [actor("pr_author", who.devin)] }));
    expect(byRoleOnly.findings.filter((f) => f.ruleId === "merge-by-agent")).toEqual([]);
  });
});

describe("describeRule", () => {
  it("describes the incident rules", () => {
    expect(describeRule("push-to-protected-branch")).toMatch(/protected branch .*: incident\.$/);
    expect(describeRule("merge-by-agent")).toBe("An AI assistant merges a pull request or enables its auto-merge: incident.");
  });
});
