import { describe, expect, it } from "vitest";
import { decideWorkflowRun } from "../../src/engine/decide-workflow-run.js";
import { identifyAgents } from "../../src/engine/identify-agents.js";
import { triggeringAgents } from "../../src/engine/triggering-agents.js";
import type { Actor, ChangeFacts, Policy } from "../../src/engine/types.js";
import { actor, commit, evaluate, makeFacts, makePolicy, NOW, summarize, who } from "./fixtures.js";

/**
 * Text an agent writes (trailers, marker lines, git names and e-mails) is
 * evidence that an assistant took part. It never decides which agent an
 * account is: only account ids, GitHub's own accounts and the policy do.
 */

const DEVIN_NOREPLY = "158243242+devin-ai-integration[bot]@users.noreply.github.com";
const COPILOT_NOREPLY = "198982749+Copilot@users.noreply.github.com";
const cursor = { login: "cursoragent[bot]", id: 201670782, type: "Bot" };

/** The README's shape: a local Claude matched by a trailer pattern, a wide scope, and a narrowly scoped Copilot. */
function policyWith(agents: Record<string, unknown>): Policy {
  return makePolicy({ agents: agents as never });
}
const claudeByTrailer = { owner: "@alice", match: { trailers: ["Co-authored-by: Claude*"] }, paths: { allow: ["**"] } };
const copilot = { owner: "@acme/platform", match: { catalogue: ["copilot-coding-agent"] }, paths: { allow: ["docs/**"] } };
const aiderLocal = { owner: "@bob", match: { catalogue: ["aider"] }, paths: { allow: ["**"] } };
const mailBot = { owner: "@carol", match: { emails: ["bot@acme.dev"] }, paths: { allow: ["**"] } };

function labels(policy: Policy, facts: ChangeFacts): string[] {
  return identifyAgents(policy, facts).map((a) => `${a.key}${a.declared ? "" : " (unregistered)"}`);
}

/** A PR opened by `author` with one commit whose GitHub account is `author`. */
function prBy(author: typeof who.devin, commitOverrides: Parameters<typeof commit>[0] = {}, paths = ["src/app.ts"]) {
  return makeFacts({
    actors: [actor("pr_author", author)],
    commits: [commit({ author: { ...author, name: "Agent", email: DEVIN_NOREPLY }, committer: { ...author, name: "Agent", email: DEVIN_NOREPLY }, ...commitOverrides })],
    paths,
  });
}

describe("text never re-labels an account", () => {
  it.each<[string, Record<string, unknown>, ChangeFacts, string[]]>([
    [
      "a co-author trailer whose name matches a declared trailer pattern and whose e-mail is the undeclared agent's noreply address",
      { "claude-local": claudeByTrailer },
      prBy(who.devin, { message: `Fix\n\nCo-authored-by: Claude <${DEVIN_NOREPLY}>` }),
      ["claude-local", "devin (unregistered)"],
    ],
    [
      "a co-author trailer naming the undeclared agent's plain e-mail under a declared name",
      { "claude-local": claudeByTrailer },
      makeFacts({
        actors: [actor("pr_author", cursor)],
        commits: [commit({ message: "Fix\n\nCo-authored-by: Claude <cursoragent@cursor.com>" })],
      }),
      ["claude-local", "cursor-agent (unregistered)"],
    ],
    [
      "a git author name ending in a declared agent's suffix, on a commit GitHub links to the undeclared agent's account",
      { "aider-local": aiderLocal },
      prBy(who.devin, { author: { ...who.devin, name: "Alice Doe (aider)", email: DEVIN_NOREPLY } }),
      ["aider-local", "devin (unregistered)"],
    ],
    [
      "a git author e-mail that a declared agent matches, on a commit GitHub links to the undeclared agent's account",
      { "mail-bot": mailBot },
      prBy(who.devin, { author: { ...who.devin, name: "Devin", email: "bot@acme.dev" } }),
      ["devin (unregistered)", "mail-bot"],
    ],
    [
      "a git committer e-mail that a declared agent matches, the undeclared agent being the event sender only",
      { "mail-bot": mailBot },
      makeFacts({
        actors: [actor("pr_author", who.alice), actor("sender", who.devin)],
        commits: [commit({ committer: { name: "Devin", email: "bot@acme.dev" } }), commit({ committer: { name: "Devin", email: DEVIN_NOREPLY } })],
      }),
      ["devin (unregistered)", "mail-bot"],
    ],
    [
      "a co-author trailer with a registered agent's noreply address: that agent is added, the undeclared author stays",
      { copilot },
      prBy(who.devin, { message: `Fix\n\nCo-authored-by: Copilot <${COPILOT_NOREPLY}>` }),
      ["copilot", "devin (unregistered)"],
    ],
    [
      "a noreply address whose id and login part disagree names the id's account only",
      { copilot },
      makeFacts({ commits: [commit({ message: "x\n\nCo-authored-by: X <158243242+copilot-swe-agent[bot]@users.noreply.github.com>" })] }),
      ["devin (unregistered)"],
    ],
    [
      "a name alone identifies nobody",
      { "claude-local": claudeByTrailer },
      makeFacts({ commits: [commit({ author: { name: "Devin AI", email: "dev@example.com" }, committer: { name: "Copilot", email: "dev@example.com" } })] }),
      [],
    ],
  ])("%s", (_name, agents, facts, expected) => {
    expect(labels(policyWith(agents), facts)).toEqual(expected);
  });

  it("keeps unregistered-agent and denies, although a trailer also matches a declared agent with a wide scope", () => {
    const decision = evaluate(policyWith({ "claude-local": claudeByTrailer }), prBy(who.devin, { message: `Fix\n\nCo-authored-by: Claude <${DEVIN_NOREPLY}>` }));
    expect(decision.verdict).toBe("deny");
    expect(summarize(decision)).toContain("unregistered-agent deny devin devin");
    const devin = decision.agents.find((a) => a.key === "devin");
    expect(devin?.evidence.map((e) => e.role)).toEqual(["pr_author", "commit_author", "committer", "co_author"]);
  });

  it("applies a trailer-matched agent's scope in addition to the account's own agent, never instead", () => {
    const policy = policyWith({ copilot, "claude-local": { ...claudeByTrailer, paths: { allow: ["**"], deny: ["src/billing/**"] } } });
    const facts = makeFacts({
      actors: [actor("pr_author", who.copilotAgent)],
      commits: [commit({ author: { ...who.copilotAgent, name: "Copilot", email: COPILOT_NOREPLY }, message: `Fix\n\nCo-authored-by: Claude <${COPILOT_NOREPLY}>` })],
      paths: ["src/billing/pay.ts", "docs/a.md"],
    });
    const decision = evaluate(policy, facts);
    expect(decision.agents.map((a) => a.key)).toEqual(["claude-local", "copilot"]);
    expect(summarize(decision)).toEqual([
      "path-scope deny src/billing/pay.ts claude-local",
      "path-scope deny src/billing/pay.ts copilot",
    ]);
  });

  it("a trailer-only declared agent does not register the catalogue assistant whose lines it matches", () => {
    const facts = makeFacts({ commits: [commit({ message: "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>" })] });
    expect(labels(policyWith({ "claude-local": claudeByTrailer }), facts)).toEqual(["claude-code (unregistered)", "claude-local"]);
    expect(labels(policyWith({ "claude-local": { ...claudeByTrailer, match: { catalogue: ["claude-code"] } } }), facts)).toEqual(["claude-local"]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["by naming it in match.catalogue", { catalogue: ["devin"] }],
    ["by one of its account ids", { ids: [158243242] }],
    ["by one of its logins", { logins: ["devin-ai-integration[bot]"] }],
    ["by its noreply e-mail", { emails: [DEVIN_NOREPLY] }],
    ["by a noreply e-mail carrying its account id", { emails: ["158243242+devin@users.noreply.github.com"] }],
  ])("the policy registers a catalogue assistant %s: every identity of it is that agent", (_name, match) => {
    const policy = policyWith({ devin: { owner: "@acme/platform", match, paths: { allow: ["**"] } } });
    const facts = makeFacts({
      actors: [actor("pr_author", who.devin)],
      commits: [commit({ author: { name: "Devin", email: DEVIN_NOREPLY }, committer: { login: "devin-ai-integration[bot]", name: "Devin", email: "x@example.com" } })],
    });
    const agents = identifyAgents(policy, facts);
    expect(agents.map((a) => [a.key, a.declared])).toEqual([["devin", true]]);
    expect(agents[0]?.evidence.map((e) => e.role)).toEqual(["pr_author", "commit_author", "committer"]);
  });
});

describe("text never re-labels the account that triggered a run", () => {
  it("cancels an undeclared agent's workflow run although its head commit's git identity matches a declared agent", () => {
    const policy = policyWith({ "aider-local": { ...aiderLocal, workflows: { allow: ["**"] } } });
    const actors: Actor[] = [
      actor("workflow_actor", who.devin),
      actor("triggering_actor", who.devin),
      { role: "commit_author", identity: { name: "Alice Doe (aider)", email: DEVIN_NOREPLY }, commit: "a".repeat(40) },
    ];
    const agents = triggeringAgents(policy, actors);
    expect(agents.map((a) => `${a.key}${a.declared ? "" : " (unregistered)"}`)).toEqual(["devin (unregistered)"]);
    const decision = decideWorkflowRun(policy, { agents, workflowPath: ".github/workflows/ci.yml" }, { now: NOW });
    expect(decision.verdict).toBe("deny");
    expect(decision.findings.map((f) => f.ruleId)).toEqual(["unregistered-agent"]);
  });
});
