import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../src/engine/grants/duration.js";
import { parseGrantCommand, scopeItems } from "../../../src/engine/grants/grant-command.js";

describe("parseGrantCommand", () => {
  it("reads a grant: agent, scope items, duration and reason", () => {
    expect(parseGrantCommand("/agent-policy grant copilot paths:infra/** for 4h because OPS-1234")).toEqual({
      kind: "grant",
      agent: "copilot",
      scope: { paths: ["infra/**"], branches: [], workflows: [], environments: [] },
      duration: "4h",
      durationMs: 4 * 3_600_000,
      reason: "OPS-1234",
    });
  });

  it("reads several comma-separated items; a bare value continues the previous kind", () => {
    const command = parseGrantCommand("/agent-policy grant copilot paths:infra/**,deploy/** branches:ops/* workflows:deploy.yml,environments:staging for 30m because rotate certs\nthanks!");
    expect(command?.kind).toBe("grant");
    if (command?.kind !== "grant") return;
    expect(scopeItems(command.scope)).toEqual(["paths:infra/**", "paths:deploy/**", "branches:ops/*", "workflows:deploy.yml", "environments:staging"]);
    expect(command.reason).toBe("rotate certs");
  });

  it("reads a revocation", () => {
    expect(parseGrantCommand("  /agent-policy revoke copilot  ")).toEqual({ kind: "revoke", agent: "copilot" });
  });

  it("ignores comments that are not commands, also a command on a later line", () => {
    expect(parseGrantCommand("LGTM")).toBeUndefined();
    expect(parseGrantCommand("please run\n/agent-policy grant copilot paths:** for 1h because x")).toBeUndefined();
    expect(parseGrantCommand("/agent-policyx grant")).toBeUndefined();
  });

  it.each([
    ["Cyrillic а", "/\u0430gent-policy grant copilot paths:** for 1h because x"],
    ["full-width letters", "/\uff41gent-policy grant copilot paths:** for 1h because x"],
    ["a zero-width space", "/agent\u200b-policy grant copilot paths:** for 1h because x"],
    ["a non-breaking hyphen", "/agent\u2011policy grant copilot paths:** for 1h because x"],
  ])("refuses a look-alike prefix (%s) rather than reading or ignoring it", (_name, body) => {
    expect(parseGrantCommand(body)).toEqual({ kind: "invalid", problem: expect.stringContaining("plain ASCII") });
  });

  it("refuses look-alikes inside the command words", () => {
    expect(parseGrantCommand("/agent-policy grant c\u043epilot paths:** for 1h because x")?.kind).toBe("invalid");
    expect(parseGrantCommand("/agent-policy grant copilot paths:infra/\u2217\u2217 for 1h because x")?.kind).toBe("invalid");
  });

  it.each([
    ["no reason", "/agent-policy grant copilot paths:** for 4h"],
    ["an empty reason", "/agent-policy grant copilot paths:** for 4h because"],
    ["no scope", "/agent-policy grant copilot for 4h because x"],
    ["an unknown kind", "/agent-policy grant copilot secrets:** for 4h because x"],
    ["an item without kind", "/agent-policy grant copilot infra/** for 4h because x"],
    ["a hostile glob", "/agent-policy grant copilot paths:../** for 4h because x"],
    ["a negated glob", "/agent-policy grant copilot paths:!src/** for 4h because x"],
    ["an environment with a slash", "/agent-policy grant copilot environments:a/b for 4h because x"],
    ["a bad duration", "/agent-policy grant copilot paths:** for 4 hours because x"],
    ["a seven-digit duration", "/agent-policy grant copilot paths:** for 9999999d because x"],
    ["a negative duration", "/agent-policy grant copilot paths:** for -1h because x"],
    ["an unknown verb", "/agent-policy approve copilot"],
    ["a revoke with extras", "/agent-policy revoke copilot now"],
    ["an upper-case agent", "/agent-policy revoke Copilot"],
  ])("refuses %s", (_name, body) => {
    expect(parseGrantCommand(body)?.kind).toBe("invalid");
  });

  it("caps the number of scope items", () => {
    const items = Array.from({ length: 21 }, (_, i) => `paths:d${i}/**`).join(",");
    expect(parseGrantCommand(`/agent-policy grant copilot ${items} for 1h because x`)).toEqual({ kind: "invalid", problem: "a grant names at most 20 scope items" });
  });
});

describe("parseDuration", () => {
  it("reads minutes, hours and days exactly, and nothing else", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("99999d")).toBe(99_999 * 86_400_000);
    for (const bad of ["0h", "1.5h", "1H", "1w", "", "1e3m", "01h", "1000000d"]) expect(parseDuration(bad)).toBeUndefined();
  });
});
