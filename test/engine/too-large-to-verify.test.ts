import { describe, expect, it } from "vitest";
import { actor, commit, devinFacts, evaluate, file, makeFacts, makePolicy, summarize, who } from "./fixtures.js";

const policy = makePolicy({
  agents: { devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["**"] } } },
});
const manyFiles = (n: number) => Array.from({ length: n }, (_, i) => file(`src/f${i}.ts`));

describe("too-large-to-verify", () => {
  it.each([
    ["all files listed", devinFacts({ files: manyFiles(10) }), []],
    ["2999 files listed", devinFacts({ files: manyFiles(2999) }), []],
    ["3000 files listed (GitHub's cap)", devinFacts({ files: manyFiles(3000) }), ["too-large-to-verify deny pull request #7 devin"]],
    ["fewer files listed than changed", devinFacts({ files: manyFiles(10), changedFiles: 11 }), ["too-large-to-verify deny pull request #7 devin"]],
    ["a path listed twice does not count twice", devinFacts({ files: [file("a"), file("a")] }), ["too-large-to-verify deny pull request #7 devin"]],
    ["commits incomplete", devinFacts({ commitsComplete: false }), ["too-large-to-verify deny pull request #7 devin"]],
    ["a human PR with unlisted files", makeFacts({ actors: [actor("pr_author", who.alice)], changedFiles: 4000 }), []],
    [
      "a human PR with unlisted commits: an assistant could hide there",
      makeFacts({ actors: [actor("pr_author", who.alice)], commits: [commit()], commitsComplete: false }),
      ["too-large-to-verify deny pull request #7 -"],
    ],
  ])("%s", (_name, facts, expected) => {
    expect(summarize(evaluate(policy, facts))).toEqual(expected);
  });

  it("reports each reason, and says why a change without a seen assistant is still denied", () => {
    const withAgent = evaluate(policy, devinFacts({ files: manyFiles(3), changedFiles: 3001, commitsComplete: false }));
    expect(withAgent.findings.map((f) => f.message)).toEqual([
      "GitHub did not list every commit of pull request #7, so the authors of the changes by devin (owner @acme/platform) cannot all be checked.",
      "pull request #7 changes 3001 files but GitHub lists 3, so the changes of devin (owner @acme/platform) cannot all be checked.",
    ]);
    const human = evaluate(policy, makeFacts({ commitsComplete: false }));
    expect(human.verdict).toBe("deny");
    expect(human.agentActivity).toBe(false);
    expect(human.findings[0]?.message).toBe(
      "GitHub did not list every commit of pull request #7, so an AI assistant could be hidden in an unlisted commit; no assistant was seen, but that cannot be verified.",
    );
    expect(human.findings[0]?.asset).toEqual({ kind: "change", value: "pull request #7" });
  });

  it("still evaluates the listed files of a very large change", () => {
    const files = [...manyFiles(3000), file(".env")];
    const lines = summarize(evaluate(policy, devinFacts({ files })));
    expect(lines).toEqual(["secret-file deny .env devin", "too-large-to-verify deny pull request #7 devin"]);
  });
});
