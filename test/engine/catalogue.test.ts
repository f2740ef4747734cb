import { describe, expect, it } from "vitest";
import { CATALOGUE, REVIEW_BOTS, findCatalogueEntry } from "../../src/engine/catalogue.js";
import { isKnownBot } from "../../src/engine/known-bots.js";
import { matchesWildcard } from "../../src/engine/wildcard.js";
import { cpuMs } from "../support/cpu-time.js";

describe("CATALOGUE", () => {
  it("has unique, lower-case ids usable as policy agent names", () => {
    const ids = CATALOGUE.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });

  it("covers the assistants of AGENT-CATALOGUE.md", () => {
    expect(CATALOGUE.map((e) => e.id).sort()).toEqual(
      [
        "aider", "amazon-q", "amp", "claude", "claude-code", "cline", "codegen", "codex", "copilot-coding-agent", "cursor-agent",
        "devin", "ellipsis", "factory", "jules", "kiro", "mentat", "opencode", "openhands", "replit-agent", "sweep", "tembo",
      ].sort(),
    );
  });

  it("never lists an ambiguous login, and no id is shared with a review bot", () => {
    const logins = CATALOGUE.flatMap((e) => e.logins.map((l) => l.toLowerCase()));
    expect(logins).not.toContain("copilot");
    expect(logins).not.toContain("claude");
    const reviewIds = new Set(REVIEW_BOTS.flatMap((b) => b.ids));
    expect(CATALOGUE.flatMap((e) => e.ids).filter((id) => reviewIds.has(id))).toEqual([]);
    expect(CATALOGUE.flatMap((e) => e.ids)).not.toContain(81847);
  });

  it("finds entries by id", () => {
    expect(findCatalogueEntry("devin")?.ids).toEqual([158243242]);
    expect(findCatalogueEntry("Devin")).toBeUndefined();
    expect(findCatalogueEntry("nope")).toBeUndefined();
  });
});

describe("isKnownBot", () => {
  it.each([
    [{ login: "Copilot", id: 175728472 }, true],
    [{ login: "coderabbitai[bot]" }, true],
    [{ login: "openhands-agent", type: "User" }, true],
    [{ login: "renovate[bot]" }, true],
    [{ login: "someone", type: "Bot" }, true],
    [{ login: "claude", id: 81847, type: "User" }, false],
    [{ login: "alice", id: 1001, type: "User" }, false],
  ])("%j → %s", (identity, expected) => {
    expect(isKnownBot(identity)).toBe(expected);
  });
});

describe("matchesWildcard", () => {
  it.each([
    ["Co-authored-by: Claude*<noreply@anthropic.com>", "co-authored-by: Claude Sonnet 4 <noreply@anthropic.com>", true],
    ["Co-authored-by: Claude*<noreply@anthropic.com>", "Co-authored-by: Claude <noreply@anthropic.com> extra", false],
    ["*Generated with [Claude Code]*", "🤖 Generated with [Claude Code](https://claude.ai/code)", true],
    ["Replit-Commit-Author: Agent", "replit-commit-author: agent", true],
    ["Replit-Commit-Author: Agent", "Replit-Commit-Author: Agents", false],
    ["*", "", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
  ])("%j vs %j → %s", (pattern, text, expected) => {
    expect(matchesWildcard(pattern, text)).toBe(expected);
  });

  it("stays fast on a hostile pattern and line", () => {
    let matched: boolean | undefined;
    expect(cpuMs(() => (matched = matchesWildcard("*a".repeat(60) + "b", "a".repeat(4096))))).toBeLessThan(1000);
    expect(matched).toBe(false);
  });
});
