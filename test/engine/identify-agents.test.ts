import { describe, expect, it } from "vitest";
import { identifyAgents } from "../../src/engine/identify-agents.js";
import type { ChangeFacts, Policy } from "../../src/engine/types.js";
import { actor, commit, makeFacts, makePolicy, who } from "./fixtures.js";

const noPolicy = makePolicy();

function keys(policy: Policy, facts: ChangeFacts): string[] {
  return identifyAgents(policy, facts).map((a) => `${a.key}${a.declared ? "" : " (undeclared)"}`);
}

describe("identifyAgents: catalogue", () => {
  it.each([
    ["Copilot coding agent by id 198982749", makeFacts({ actors: [actor("pr_author", who.copilotAgent)] }), ["copilot-coding-agent (undeclared)"]],
    ["Copilot reviewer (login Copilot, id 175728472) is not the coding agent", makeFacts({ actors: [actor("sender", who.copilotReviewer)] }), []],
    ["login Copilot without an id is not enough", makeFacts({ actors: [actor("sender", { login: "Copilot" })] }), []],
    ["the human `claude` (id 81847) is not an assistant", makeFacts({ actors: [actor("pr_author", who.claudeHuman)] }), []],
    ["the human `claude` committing with their noreply e-mail", makeFacts({ commits: [commit({ author: { name: "claude", email: "81847+claude@users.noreply.github.com" } })] }), []],
    ["Claude app by id", makeFacts({ actors: [actor("pr_author", who.claudeApp)] }), ["claude (undeclared)"]],
    [
      "Copilot noreply commit e-mail",
      makeFacts({ commits: [commit({ author: { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" } })] }),
      ["copilot-coding-agent (undeclared)"],
    ],
    [
      "noreply e-mail matched by its id whatever the login part says",
      makeFacts({ commits: [commit({ committer: { name: "x", email: "158243242+someone@USERS.noreply.github.com" } })] }),
      ["devin (undeclared)"],
    ],
    [
      "Co-authored-by Claude trailer with a model name",
      makeFacts({ commits: [commit({ message: "Fix\n\nCo-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>" })] }),
      ["claude-code (undeclared)"],
    ],
    [
      "Generated with [Claude Code] marker",
      makeFacts({ commits: [commit({ message: "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)" })] }),
      ["claude-code (undeclared)"],
    ],
    ["aider author-name suffix", makeFacts({ commits: [commit({ author: { name: "Alice Doe (aider)", email: "alice@example.com" } })] }), ["aider (undeclared)"]],
    ["aider e-mail", makeFacts({ commits: [commit({ committer: { name: "aider (gpt-5)", email: "Aider@Aider.chat" } })] }), ["aider (undeclared)"]],
    ["Replit trailer", makeFacts({ commits: [commit({ message: "Update\n\nReplit-Commit-Author: Agent\nReplit-Commit-Session-Id: 1" })] }), ["replit-agent (undeclared)"]],
    ["Amp co-author", makeFacts({ commits: [commit({ message: "x\n\nCo-authored-by: Amp <amp@ampcode.com>" })] }), ["amp (undeclared)"]],
    ["a bot login that is in the catalogue", makeFacts({ actors: [actor("pusher", { login: "OpenHands-Agent" })] }), ["openhands (undeclared)"]],
    ["review bots are not authors", makeFacts({ actors: [actor("sender", { login: "coderabbitai[bot]", id: 136622811, type: "Bot" })] }), []],
    ["a human PR", makeFacts({ actors: [actor("pr_author", who.alice)], commits: [commit()] }), []],
    ["a bot outside the catalogue (dependabot)", makeFacts({ actors: [actor("pr_author", { login: "dependabot[bot]", id: 49699333, type: "Bot" })] }), []],
    ["a mention of Claude in prose is not a trailer", makeFacts({ commits: [commit({ message: "Ask claude about Co-authored-by lines" })] }), []],
    ["a co-author trailer with a blank before its colon (git reads it)", makeFacts({ commits: [commit({ message: "x\n\nCo-authored-by : Claude <noreply@anthropic.com>" })] }), ["claude-code (undeclared)"]],
    ["a trailer pattern whatever the spacing around its colon", makeFacts({ commits: [commit({ message: "Update\n\nReplit-Commit-Author:Agent" })] }), ["replit-agent (undeclared)"]],
    ["aider author-name suffix with trailing blanks", makeFacts({ commits: [commit({ author: { name: "Alice Doe (aider) ", email: "alice@example.com" } })] }), ["aider (undeclared)"]],
  ])("%s", (_name, facts, expected) => {
    expect(keys(noPolicy, facts)).toEqual(expected);
  });

  it("reports several assistants sorted by key", () => {
    const facts = makeFacts({
      actors: [actor("pr_author", who.jules), actor("sender", who.devin)],
      commits: [commit({ message: "x\n\nCo-authored-by: Claude <noreply@anthropic.com>" })],
    });
    expect(keys(noPolicy, facts)).toEqual(["claude-code (undeclared)", "devin (undeclared)", "jules (undeclared)"]);
  });
});

describe("identifyAgents: declared agents", () => {
  const declared = (match: Record<string, unknown>) =>
    makePolicy({ agents: { bot: { owner: "@acme/platform", match, paths: { allow: ["**"] } } } as never });

  it.each([
    ["by numeric id", { ids: [198982749] }, makeFacts({ actors: [actor("pr_author", who.copilotAgent)] })],
    ["by login, case-insensitively", { logins: ["devin-ai-integration[bot]"] }, makeFacts({ actors: [actor("pr_author", { login: "Devin-AI-Integration[bot]" })] })],
    ["by e-mail, case-insensitively", { emails: ["bot@example.com"] }, makeFacts({ commits: [commit({ author: { name: "B", email: "BOT@example.com" } })] })],
    ["by the id in a noreply e-mail", { ids: [4242] }, makeFacts({ commits: [commit({ author: { name: "B", email: "4242+b@users.noreply.github.com" } })] })],
    ["by trailer pattern", { trailers: ["Co-authored-by: Acme Helper*"] }, makeFacts({ commits: [commit({ message: "x\n\nco-authored-by: acme helper <helper@acme.dev>" })] })],
    ["via the catalogue", { catalogue: ["copilot-coding-agent"] }, makeFacts({ actors: [actor("pr_author", who.copilotAgent)] })],
    [
      "by trailer pattern whatever the spacing after the colon",
      { trailers: ["Co-authored-by: Acme Helper*"] },
      makeFacts({ commits: [commit({ message: "x\n\nCo-Authored-By:Acme Helper <helper@acme.dev>\nCo-authored-by :\tAcme Helper <helper@acme.dev>" })] }),
    ],
    [
      "by its own id-less login although its catalogue entry lists ids",
      { catalogue: ["devin"], logins: ["acme-bot[bot]"] },
      makeFacts({ actors: [actor("pr_author", { login: "acme-bot[bot]", id: 5555, type: "Bot" })] }),
    ],
    [
      "by its own id-less login in a noreply e-mail although its catalogue entry lists ids",
      { catalogue: ["devin"], logins: ["acme-bot[bot]"] },
      makeFacts({ commits: [commit({ author: { name: "acme", email: "5555+acme-bot[bot]@users.noreply.github.com" } })] }),
    ],
  ])("matches %s and is not also unregistered", (_name, match, facts) => {
    const agents = identifyAgents(declared(match), facts);
    expect(agents.map((a) => [a.key, a.declared, a.owner])).toEqual([["bot", true, "@acme/platform"]]);
  });

  it("a login match does not override a conflicting numeric id", () => {
    const policy = declared({ catalogue: ["copilot-coding-agent"], logins: ["copilot-swe-agent[bot]"] });
    const facts = makeFacts({ actors: [actor("pr_author", { login: "copilot-swe-agent[bot]", id: 175728472 })] });
    expect(identifyAgents(policy, facts)).toEqual([]);
  });

  it("a declared agent that lists a catalogue assistant's id is that assistant wherever else it appears", () => {
    const policy = declared({ ids: [198982749] });
    const facts = makeFacts({
      actors: [actor("pr_author", who.copilotAgent)],
      commits: [commit({ sha: "b".repeat(40), author: { name: "copilot-swe-agent[bot]", login: "copilot-swe-agent[bot]" } })],
    });
    const agents = identifyAgents(policy, facts);
    expect(agents.map((a) => a.key)).toEqual(["bot"]);
    expect(agents[0]?.evidence.map((e) => e.role)).toEqual(["pr_author", "commit_author"]);
  });

  it("reports an undeclared assistant next to a declared one", () => {
    const policy = declared({ catalogue: ["devin"] });
    const facts = makeFacts({ actors: [actor("pr_author", who.devin), actor("sender", who.jules)] });
    expect(keys(policy, facts)).toEqual(["bot", "jules (undeclared)"]);
  });

  it("deduplicates evidence and keeps the first commit", () => {
    const author = { name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" };
    const facts = makeFacts({
      commits: [commit({ sha: "1".repeat(40), author, committer: author }), commit({ sha: "2".repeat(40), author, committer: author })],
    });
    const [devin] = identifyAgents(noPolicy, facts);
    expect(devin?.evidence).toEqual([
      { role: "commit_author", detail: `commit author Devin AI <${author.email}> in 1111111`, commit: "1".repeat(40) },
      { role: "committer", detail: `committer Devin AI <${author.email}> in 1111111`, commit: "1".repeat(40) },
    ]);
  });

  it("names the identity in PR-author evidence", () => {
    const [agent] = identifyAgents(noPolicy, makeFacts({ actors: [actor("pr_author", who.copilotAgent)] }));
    expect(agent?.evidence).toEqual([{ role: "pr_author", detail: "PR author Copilot (id 198982749)" }]);
    expect(agent?.name).toBe("GitHub Copilot coding agent");
  });
});
