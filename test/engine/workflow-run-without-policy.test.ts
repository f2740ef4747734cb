import { describe, expect, it } from "vitest";
import { decideWorkflowRunWithoutPolicy } from "../../src/engine/decide-workflow-run-without-policy.js";
import type { Actor, Identity } from "../../src/engine/types.js";
import { builtInPolicy } from "../../src/policy/schema.js";
import { actor, NOW, who } from "./fixtures.js";

const bot = (login: string, id: number): Identity => ({ login, id, type: "Bot" });
const started = (identity: Identity): Actor[] => [actor("workflow_actor", identity), actor("triggering_actor", identity)];

function decide(actors: Actor[]) {
  const d = decideWorkflowRunWithoutPolicy(builtInPolicy(), actors, { now: NOW });
  return [d.verdict, ...d.agents.map((a) => `${a.key}${a.declared ? "" : " (undeclared)"}`)];
}

describe("decideWorkflowRunWithoutPolicy", () => {
  it.each([
    ["a catalogue assistant", started(who.devin), ["deny", "devin (undeclared)"]],
    ["a bot the catalogue does not know", started(bot("acme-release[bot]", 90000001)), ["deny", "acme-release[bot] (undeclared)"]],
    ["a [bot] login whose type is missing", started({ login: "x-agent[bot]", id: 90000002 }), ["deny", "x-agent[bot] (undeclared)"]],
    ["a review bot", started(bot("coderabbitai[bot]", 136622811)), ["deny", "coderabbitai[bot] (undeclared)"]],
    ["a bot that only re-ran a person's run", [actor("workflow_actor", who.alice), actor("triggering_actor", bot("acme-release[bot]", 90000001))], ["deny", "acme-release[bot] (undeclared)"]],
    ["Dependabot", started(bot("dependabot[bot]", 49699333)), ["allow"]],
    ["Renovate", started(bot("renovate[bot]", 29139614)), ["allow"]],
    ["GitHub Actions", started(bot("github-actions[bot]", 41898282)), ["allow"]],
    ["a person", started(who.alice), ["allow"]],
    ["the shared login claude, a person", started(who.claudeHuman), ["allow"]],
    ["a bot only as the head commit's author", [actor("workflow_actor", who.alice), { role: "commit_author", identity: { name: "acme-release[bot]", email: "1+acme-release[bot]@users.noreply.github.com" } }], ["allow"]],
  ])("%s", (_name, actors, expected) => {
    expect(decide(actors as Actor[])).toEqual(expected);
  });

  it("is an enforce decision without findings, which names each bot once with its evidence", () => {
    const d = decideWorkflowRunWithoutPolicy(builtInPolicy(), started(bot("acme-release[bot]", 90000001)), { now: NOW });
    expect(d).toMatchObject({ mode: "enforce", findings: [], stepUps: [], agentActivity: true, evaluatedAt: NOW.toISOString() });
    expect(d.agents[0]?.evidence.map((e) => e.detail)).toEqual([
      "workflow run actor acme-release[bot] (id 90000001), a bot that is not a known non-assistant",
      "workflow run triggered by acme-release[bot] (id 90000001), a bot that is not a known non-assistant",
    ]);
  });
});
