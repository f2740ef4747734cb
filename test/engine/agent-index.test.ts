import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentIndex } from "../../src/engine/agent-index.js";
import { matcherForCatalogueEntry, matcherForDeclaredAgent, matchesActor } from "../../src/engine/agent-matcher.js";
import { CATALOGUE } from "../../src/engine/catalogue.js";
import type { Actor } from "../../src/engine/types.js";
import type { Policy } from "../../src/policy/schema.js";

const ids = fc.constantFrom(1, 2, 3, 198982749, 175728472, 158243242);
const logins = fc.constantFrom("Copilot", "copilot", "devin-ai-integration[bot]", "bot-a", "Bot-B", "octocat");
const emails = fc.constantFrom("a@x.io", "A@X.io", "198982749+Copilot@users.noreply.github.com", "bot-a@users.noreply.github.com", "2+bot-b@users.noreply.github.com");
const trailerPatterns = fc.constantFrom("Co-authored-by: Claude*", "co-authored-by : bot*", "*[bot]*", "Generated with *", "Co-authored-by: Agent 1 *", "exact line");
const lines = fc.constantFrom("Co-authored-by: Claude <noreply@anthropic.com>", "Co-Authored-By:bot-a <a@x.io>", "generated with tool", "exact line", "EXACT LINE", "Co-authored-by: Agent 1 <a1@x.io>", "Co-authored-by: Agent 10 <a@x.io>", "x[bot]y");

const agent = fc.record({
  owner: fc.constant("@acme/team"),
  match: fc.record(
    {
      ids: fc.array(ids, { maxLength: 2 }),
      logins: fc.array(logins, { maxLength: 2 }),
      emails: fc.array(emails, { maxLength: 1 }),
      trailers: fc.array(trailerPatterns, { maxLength: 2 }),
      catalogue: fc.array(fc.constantFrom(...CATALOGUE.map((c) => c.id)), { maxLength: 1 }),
    },
    { requiredKeys: [] },
  ),
});

const actor: fc.Arbitrary<Actor> = fc.record({
  role: fc.constantFrom("pr_author", "commit_author", "co_author", "trailer") as fc.Arbitrary<Actor["role"]>,
  identity: fc.record({ id: ids, login: logins, email: emails, name: fc.constantFrom("Someone (aider)", "Octo Cat", " devin ") }, { requiredKeys: [] }),
  trailer: fc.option(lines, { nil: undefined }),
}).map((a) => (a.trailer === undefined ? { role: a.role, identity: a.identity } : a));

describe("the agent index", () => {
  it("finds exactly the declared agents and catalogue entries that matching each one in turn finds", () => {
    fc.assert(
      fc.property(fc.array(agent, { minLength: 1, maxLength: 8 }), fc.array(actor, { minLength: 1, maxLength: 15 }), (agents, actors) => {
        const policy = { agents: Object.fromEntries(agents.map((a, i) => [`agent-${i}`, a])) } as unknown as Policy;
        const index = agentIndex(policy);
        for (const a of actors) {
          const expectedDeclared = Object.values(policy.agents).flatMap((p, i) => (matchesActor(matcherForDeclaredAgent(p), a) ? [i] : []));
          const expectedCatalogue = CATALOGUE.flatMap((c, i) => (matchesActor(matcherForCatalogueEntry(c), a) ? [i] : []));
          expect(index.match(a)).toEqual({ declared: expectedDeclared, catalogue: expectedCatalogue });
        }
      }),
      { numRuns: 300 },
    );
  });
});
