import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FRAMEWORK_MAPPING, OWASP_AGENTIC_2026, OWASP_NHI_2025, NIST_CSF_2 } from "../../src/audit/framework-mapping.js";
import { RULE_IDS } from "../../src/engine/types.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README framework mapping", () => {
  it("gives each rule's OWASP NHI, OWASP Agentic and NIST CSF ids in the last column of the rules table, as the code maps them", () => {
    const rows = RULE_IDS.map((id) => {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${id}\` |`)) ?? "";
      const cells = row.split(" | ");
      return [id, cells[cells.length - 1]?.replace(/ \|$/, "")];
    });
    const expected = RULE_IDS.map((id) => {
      const m = FRAMEWORK_MAPPING[id];
      return [id, [m.nhi.join(", ") || "—", m.asi.join(", ") || "—", m.csf.join(", ") || "—"].join(" · ")];
    });
    expect(rows).toEqual(expected);
  });

  it("names every OWASP risk and every NIST CSF subcategory the mapping uses", () => {
    for (const [id, name] of [...Object.entries(OWASP_NHI_2025), ...Object.entries(OWASP_AGENTIC_2026)]) expect(readme).toContain(`| ${id} | ${name} |`);
    for (const id of Object.keys(NIST_CSF_2)) expect(readme).toContain(id);
  });
});
