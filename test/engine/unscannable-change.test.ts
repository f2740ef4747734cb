import { describe, expect, it } from "vitest";
import { applyApprovals } from "../../src/engine/apply-approvals.js";
import { evaluateStepUps } from "../../src/engine/approvals.js";
import { whyUnscannable } from "../../src/engine/rules/unscannable-change.js";
import type { ChangedFile, Finding } from "../../src/engine/types.js";
import type { PolicyInput } from "../../src/policy/schema.js";
import { approvals, people, review } from "./approval-fixtures.js";
import { actor, devinFacts, evaluate, file, makeFacts, makePolicy, summarize, who } from "./fixtures.js";

const EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
const BLOB = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
const OTHER_BLOB = "9daeafb9864cf43055ae93beb0afd6c7d144bfa4";

const policyWith = (rest: Omit<PolicyInput, "version" | "agents"> = {}) =>
  makePolicy({ ...rest, agents: { devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["**"] } } } });

/** A binary file as GitHub lists it: no patch, no line counts. */
const binary = (path: string, extra: Partial<ChangedFile> = {}): ChangedFile =>
  file(path, { status: "added", additions: 0, deletions: 0, patch: undefined, sha: BLOB, ...extra });

const unscannable = (files: ChangedFile[], rest: Omit<PolicyInput, "version" | "agents"> = {}): Finding[] =>
  evaluate(policyWith(rest), devinFacts({ files })).findings.filter((f) => f.ruleId === "unscannable-change");

describe("unscannable-change", () => {
  it("holds a binary file an assistant adds for step-up by its owner, by default", () => {
    const decision = evaluate(policyWith(), devinFacts({ files: [file("src/a.ts"), binary("assets/logo.png")] }));
    expect(decision.verdict).toBe("step_up");
    expect(decision.findings).toEqual([
      {
        ruleId: "unscannable-change",
        verdict: "step_up",
        asset: { kind: "path", value: "assets/logo.png" },
        agent: "devin",
        owner: "@acme/platform",
        stepUp: "unscannable-changes (devin)",
        message:
          "devin (owner @acme/platform) changed assets/logo.png, but GitHub gives no diff of its content (a binary file, or a rename or copy not proven unchanged), so it could not be scanned for credentials; a human must review it.",
      },
    ]);
    expect(decision.stepUps).toEqual([{ name: "unscannable-changes (devin)", users: [], teams: ["acme/platform"], count: 1, paths: ["assets/logo.png"] }]);
  });

  it("denies it with unscannable: deny, and no step-up can lift that", () => {
    const decision = evaluate(policyWith({ unscannable: "deny" }), devinFacts({ files: [binary("assets/logo.png")] }));
    expect(decision.verdict).toBe("deny");
    expect(decision.stepUps).toEqual([]);
    expect(decision.findings).toEqual([
      expect.objectContaining({
        ruleId: "unscannable-change",
        verdict: "deny",
        message: expect.stringMatching(/could not be scanned for credentials; the policy denies content an assistant adds unscanned\.$/),
      }),
    ]);
    expect(decision.findings[0]).not.toHaveProperty("stepUp");
  });

  it("lets the agent's owner approve the step-up, and nobody else", () => {
    const policy = policyWith();
    const facts = devinFacts({ files: [binary("assets/logo.png")] });
    const decision = evaluate(policy, facts);
    const byBob = evaluateStepUps(decision, facts, approvals([review(people.bob, "APPROVED", 1)]), policy);
    expect(applyApprovals(decision, byBob).verdict).toBe("step_up");
    const byCarol = evaluateStepUps(decision, facts, approvals([review(people.carol, "APPROVED", 1)]), policy);
    expect(applyApprovals(decision, byCarol).verdict).toBe("allow");
  });

  it("reports a diff GitHub did not give for added lines (too large)", () => {
    expect(unscannable([file("dist/bundle.js", { additions: 48_000, patch: undefined })]).map((f) => f.message)).toEqual([
      "devin (owner @acme/platform) added 48000 lines to dist/bundle.js, but GitHub gives no diff for them (too large to show), so it could not be scanned for credentials; a human must review it.",
    ]);
  });

  it("reports a diff cut short: fewer added lines than GitHub counts", () => {
    const cut = file("data/seed.sql", { additions: 5, deletions: 0, patch: "@@ -0,0 +1,2 @@\n+one\n+two" });
    expect(unscannable([cut]).map((f) => f.message)).toEqual([
      "devin (owner @acme/platform) added 5 lines to data/seed.sql, but GitHub's diff shows only 2 of them, so it could not be scanned for credentials; a human must review it.",
    ]);
    expect(unscannable([{ ...cut, additions: 2 }])).toEqual([]);
  });

  it("never flags a removed file, a change that only removes lines, or an empty file", () => {
    const files = [
      binary("old/big.bin", { status: "removed", sha: undefined }),
      file("old/huge.txt", { status: "removed", additions: 0, deletions: 90_000, patch: undefined }),
      file("src/trimmed.ts", { additions: 0, deletions: 40_000, patch: undefined }),
      binary("pkg/__init__.py", { sha: EMPTY_BLOB }),
    ];
    expect(unscannable(files)).toEqual([]);
  });

  it("flags a rename or copy without a diff unless its content is proven unchanged", () => {
    const moved = binary("assets/new.png", { status: "renamed", previousPath: "assets/old.png" });
    const copied = binary("assets/copy.png", { status: "copied", previousPath: "assets/old.png" });
    const chmod = binary("bin/run", { status: "changed" });
    expect(unscannable([moved, copied, chmod]).map((f) => [f.asset.value, f.asset.previousPath])).toEqual([
      ["assets/copy.png", "assets/old.png"],
      ["assets/new.png", "assets/old.png"],
      ["bin/run", undefined],
    ]);
    const proven = [moved, copied, chmod].map((f) => ({ ...f, previousSha: BLOB.toUpperCase() }));
    expect(unscannable(proven)).toEqual([]);
    expect(unscannable([{ ...moved, previousSha: OTHER_BLOB }])).toHaveLength(1);
    expect(whyUnscannable({ ...moved, sha: undefined, previousSha: BLOB })).toEqual({ kind: "opaque" });
  });

  it("counts for every assistant in the change, and not for a human change", () => {
    const facts = devinFacts({ actors: [actor("pr_author", who.devin), actor("sender", who.jules)], files: [binary("b.bin"), binary("a.bin")] });
    expect(summarize(evaluate(policyWith(), facts)).filter((s) => s.startsWith("unscannable-change"))).toEqual([
      "unscannable-change step_up a.bin devin",
      "unscannable-change step_up a.bin jules",
      "unscannable-change step_up b.bin devin",
      "unscannable-change step_up b.bin jules",
    ]);
    const human = makeFacts({ actors: [actor("pr_author", who.alice)], files: [binary("a.bin")] });
    expect(evaluate(policyWith({ unscannable: "deny" }), human).findings).toEqual([]);
  });

  it("merges a policy step-up of the same name into the owner's group", () => {
    const policy = policyWith({ step_up: [{ name: "unscannable-changes", when: { paths: ["assets/**"] }, approvers: { users: ["bob"] }, count: 2 }] });
    const decision = evaluate(policy, devinFacts({ files: [binary("vendor/tool.jar")] }));
    expect(decision.stepUps).toEqual([{ name: "unscannable-changes (devin)", users: ["bob"], teams: ["acme/platform"], count: 2, paths: ["vendor/tool.jar"] }]);
  });

  it("holds a Git LFS pointer, added or pointed at new content: the content is outside the diff", () => {
    const oid = (c: string) => `oid sha256:${c.repeat(64)}`;
    const added = file("models/weights.bin", {
      status: "added",
      additions: 3,
      deletions: 0,
      patch: `@@ -0,0 +1,3 @@\n+version https://git-lfs.github.com/spec/v1\n+${oid("a")}\n+size 12345`,
    });
    const updated = file("models/tokenizer.bin", {
      additions: 2,
      deletions: 2,
      patch: `@@ -1,3 +1,3 @@\n version https://git-lfs.github.com/spec/v1\n-${oid("a")}\n-size 12345\n+${oid("b")}\n+size 23456`,
    });
    const mentioned = file("docs/lfs.md", { additions: 1, patch: "@@ -4,0 +5 @@\n+version https://git-lfs.github.com/spec/v1 is the first line of a pointer" });
    expect(unscannable([added, updated, mentioned]).map((f) => f.message)).toEqual([
      "devin (owner @acme/platform) changed models/tokenizer.bin to point at Git LFS content, which is stored outside the diff, so it could not be scanned for credentials; a human must review it.",
      "devin (owner @acme/platform) changed models/weights.bin to point at Git LFS content, which is stored outside the diff, so it could not be scanned for credentials; a human must review it.",
    ]);
  });
});
