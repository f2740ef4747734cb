import { describe, expect, it } from "vitest";
import type { PushFacts } from "../../src/engine/types.js";
import { actor, commit, devinFacts, devinPolicy, evaluate, makeFacts, summarize, who } from "./fixtures.js";

const inRepo = (name: string) => devinFacts({ repository: { owner: "acme", name, defaultBranch: "main" } });

describe("repo-scope", () => {
  const policy = devinPolicy({ repos: { allow: ["widgets", "docs-*"], deny: ["docs-internal"] } });

  it.each([
    ["widgets", []],
    ["WIDGETS", []],
    ["docs-site", []],
    ["docs-internal", ["repo-scope deny docs-internal devin"]],
    ["Docs-Internal", ["repo-scope deny Docs-Internal devin"]],
    ["payments", ["repo-scope deny payments devin"]],
  ])("in %s", (name, expected) => {
    expect(summarize(evaluate(policy, inRepo(name)))).toEqual(expected);
  });

  it("an empty allow list confines the agent to no repository; omitted repos mean every repository", () => {
    expect(summarize(evaluate(devinPolicy({ repos: { allow: [] } }), inRepo("widgets")))).toEqual(["repo-scope deny widgets devin"]);
    expect(summarize(evaluate(devinPolicy(), inRepo("anything")))).toEqual([]);
    expect(summarize(evaluate(devinPolicy({ repos: { deny: ["secrets"] } }), inRepo("widgets")))).toEqual([]);
  });

  it("names the repositories the agent may act in", () => {
    const [finding] = evaluate(policy, inRepo("payments")).findings;
    expect(finding!.message).toBe("devin (owner @acme/platform) acted in repository payments, but it may only act in widgets, docs-*.");
  });
});

describe("write-by-suggest-only", () => {
  const policy = devinPolicy({ access: "suggest" });

  it("denies a pull request a suggest-only agent opens", () => {
    expect(summarize(evaluate(policy, devinFacts()))).toEqual(["write-by-suggest-only deny devin devin"]);
  });

  it("denies its commits in a person's pull request", () => {
    const facts = makeFacts({ actors: [actor("pr_author", who.alice)], commits: [commit({ author: who.devin, committer: who.devin })] });
    expect(summarize(evaluate(policy, facts))).toEqual(["write-by-suggest-only deny devin devin"]);
  });

  it("denies its push", () => {
    const { number: _number, baseRef: _baseRef, ...base } = devinFacts();
    const push: PushFacts = { ...base, kind: "push", ref: "refs/heads/feature/x", refType: "branch", before: "b".repeat(40), created: false, deleted: false, forced: false, filesComplete: true };
    const decision = evaluate(policy, push);
    expect(summarize(decision)).toContain("write-by-suggest-only deny devin devin");
  });

  it("leaves a write agent alone", () => {
    expect(summarize(evaluate(devinPolicy({ access: "write" }), devinFacts()))).toEqual([]);
  });
});
