import { describe, expect, it } from "vitest";
import { MAX_HITS_PER_CHANGE } from "../../src/engine/rules/secret-content.js";
import { MAX_HITS_PER_FILE } from "../../src/engine/secrets/scan.js";
import type { ChangedFile, Finding } from "../../src/engine/types.js";
import { actor, devinFacts, evaluate, file, makeFacts, makePolicy, summarize, who } from "./fixtures.js";
import { TRUE_POSITIVES } from "./secret-samples.js";

const policy = makePolicy({
  agents: { devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["**"] } } },
});
const ghp = TRUE_POSITIVES.find((s) => s.detector === "github-token")!.value;

/** A file whose diff adds `lines` after `before` unchanged lines. */
function withAdded(path: string, lines: string[], before = 0, extra: Partial<ChangedFile> = {}): ChangedFile {
  const start = before + 1;
  const patch = [`@@ -${start},0 +${start},${lines.length} @@`, ...lines.map((l) => `+${l}`)].join("\n");
  return file(path, { additions: lines.length, deletions: 0, patch, ...extra });
}

const secretFindings = (files: ChangedFile[], facts = devinFacts({ files })): Finding[] =>
  evaluate(policy, facts).findings.filter((f) => f.ruleId === "secret-content");

describe("secret-content", () => {
  it("denies a credential on an added line, pointing at it without leaking it", () => {
    const findings = secretFindings([withAdded("src/config.ts", [`const token = "${ghp}";`], 11)]);
    expect(findings).toEqual([
      {
        ruleId: "secret-content",
        verdict: "deny",
        asset: { kind: "path", value: "src/config.ts" },
        agent: "devin",
        owner: "@acme/platform",
        line: 12,
        column: 16,
        message: `devin (owner @acme/platform) added what looks like a GitHub token (ghp_…${ghp.slice(-2)}) at line 12 of src/config.ts; remove it and rotate the credential.`,
        remedy: "Remove the credential from the branch, including its history, and rotate it: once pushed, treat it as leaked.",
      },
    ]);
  });

  it.each(TRUE_POSITIVES.map((s) => [s.name, s] as const))("never leaks the value: %s", (_name, s) => {
    const [finding] = secretFindings([withAdded("src/a.ts", [s.line])]);
    expect(finding?.message).toContain(`like a${/^[AEIOU]|^npm/i.test(s.kind) ? "n" : ""} ${s.kind} (`);
    const shown = `${finding?.message}\n${finding?.remedy}`;
    expect(shown).not.toContain(s.value);
    for (let i = 0; i + 8 <= s.value.length; i++) expect(shown).not.toContain(s.value.slice(i, i + 8));
  });

  it("ignores removed lines and removed files", () => {
    const removedLine = file("src/a.ts", { additions: 0, deletions: 1, patch: `@@ -1 +0,0 @@\n-${ghp}` });
    const removedFile = file("src/b.ts", { status: "removed", additions: 0, deletions: 1, patch: `@@ -1 +0,0 @@\n-${ghp}` });
    expect(secretFindings([removedLine, removedFile])).toEqual([]);
  });

  it("leaves added lines GitHub gave no diff for to unscannable-change", () => {
    const decision = evaluate(policy, devinFacts({ files: [file("assets/bundle.js", { additions: 48_000, patch: undefined })] }));
    expect(summarize(decision)).toEqual(["unscannable-change step_up assets/bundle.js devin"]);
  });

  it("needs no diff for a removed file or a file without additions", () => {
    const files = [
      file("old/big.bin", { status: "removed", additions: 0, deletions: 900, patch: undefined }),
      file("logo.png", { status: "added", additions: 0, deletions: 0, patch: undefined }),
      file("docs/renamed.md", { status: "renamed", previousPath: "docs/old.md", additions: 0, deletions: 0, patch: undefined }),
    ];
    expect(secretFindings(files)).toEqual([]);
  });

  it("reports one finding per hit and per agent", () => {
    const facts = devinFacts({
      actors: [actor("pr_author", who.devin), actor("sender", who.jules)],
      files: [withAdded("src/a.ts", [ghp, "ok", ghp])],
    });
    expect(secretFindings([], facts).map((f) => [f.agent, f.line])).toEqual([
      ["devin", 1],
      ["devin", 3],
      ["jules", 1],
      ["jules", 3],
    ]);
  });

  it("does not fire for a human change", () => {
    const facts = makeFacts({ actors: [actor("pr_author", who.alice)], files: [withAdded("src/a.ts", [ghp])] });
    expect(evaluate(policy, facts).findings).toEqual([]);
  });

  it(`caps hits at ${MAX_HITS_PER_FILE} per file and ${MAX_HITS_PER_CHANGE} per change, keeping the first paths`, () => {
    const many = Array.from({ length: MAX_HITS_PER_FILE + 5 }, () => ghp);
    const files = Array.from({ length: 12 }, (_, i) => withAdded(`src/f${String(i).padStart(2, "0")}.ts`, many));
    const findings = secretFindings([...files].reverse());
    expect(findings).toHaveLength(MAX_HITS_PER_CHANGE);
    expect(findings.filter((f) => f.asset.value === "src/f00.ts")).toHaveLength(MAX_HITS_PER_FILE);
    expect(new Set(findings.map((f) => f.asset.value)).size).toBe(MAX_HITS_PER_CHANGE / MAX_HITS_PER_FILE);
  });
});

describe("evaluatePolicy with secret-content", () => {
  it("a credential in an otherwise allowed change makes the verdict deny", () => {
    const clean = evaluate(policy, devinFacts({ files: [withAdded("src/a.ts", ["const x = 1;"])] }));
    expect(clean.verdict).toBe("allow");
    const decision = evaluate(policy, devinFacts({ files: [withAdded("src/a.ts", ["const x = 1;", `const t = "${ghp}";`])] }));
    expect(decision.verdict).toBe("deny");
    expect(summarize(decision)).toEqual(["secret-content deny src/a.ts devin"]);
  });

  it("orders secret-content after secret-file", () => {
    const decision = evaluate(policy, devinFacts({ files: [withAdded(".env", [`GITHUB_TOKEN=${ghp}`])] }));
    expect(summarize(decision)).toEqual(["secret-file deny .env devin", "secret-content deny .env devin"]);
  });
});
