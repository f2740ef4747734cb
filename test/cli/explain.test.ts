import { describe, expect, it } from "vitest";
import { FRAMEWORK_MAPPING } from "../../src/audit/framework-mapping.js";
import { runCli } from "../../src/cli/main.js";
import { describeRule } from "../../src/engine/evaluate-policy.js";
import { RULE_IDS } from "../../src/engine/types.js";
import { RULE_GUIDE } from "../../src/report/rule-guide.js";
import { captureIo } from "./io.js";

describe("agent-policy explain", () => {
  it("explains every rule id: what it checks, why, its framework mapping, and how to satisfy it", async () => {
    for (const id of RULE_IDS) {
      const io = captureIo();
      expect(await runCli(["explain", id], io)).toBe(0);
      const flat = io.out.replace(/\s+/g, " ");
      expect(io.out.startsWith(`${id}\n`)).toBe(true);
      for (const part of ["What it checks", describeRule(id), "Why", RULE_GUIDE[id].why, "How to satisfy it", RULE_GUIDE[id].fix]) {
        expect(flat).toContain(part.replace(/\s+/g, " "));
      }
      expect(flat).toContain("Framework mapping");
      for (const control of [...FRAMEWORK_MAPPING[id].nhi, ...FRAMEWORK_MAPPING[id].asi, ...FRAMEWORK_MAPPING[id].csf]) expect(flat).toContain(`${control} `);
      expect(Math.max(...io.out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
    }
  });

  it("refuses an unknown rule id with a suggestion, and a missing one with the list", async () => {
    const io = captureIo();
    expect(await runCli(["explain", "scope"], io)).toBe(2);
    expect(io.err).toContain("unknown rule id 'scope'; did you mean path-scope or branch-scope or repo-scope?");
    const none = captureIo();
    expect(await runCli(["explain"], none)).toBe(2);
    const help = captureIo();
    expect(await runCli(["explain", "--help"], help)).toBe(0);
    expect(help.out).toContain("  secret-content\n");
  });
});
