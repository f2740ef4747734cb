import { describe, expect, it } from "vitest";
import { csv, csvCell } from "../../src/inventory/csv.js";
import { escapeHtml, html } from "../../src/inventory/html.js";
import { recordLinks } from "../../src/inventory/github-links.js";
import { auditRecord } from "../e2e/inventory-fixture.js";

describe("csvCell", () => {
  it("neutralises every cell a spreadsheet would read as a formula", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${start}HYPERLINK("x")`)).toBe(`"'${start}HYPERLINK(""x"")"`);
    expect(csvCell("plain")).toBe('"plain"');
    expect(csvCell(undefined)).toBe('""');
    expect(csv([["a", 1], ["=b", true]])).toBe('"a","1"\r\n"\'=b","true"\r\n');
  });
});

describe("the page's escaping and links", () => {
  it("makes text inert in content and attributes", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe("&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;");
    expect(html`<td title="${'"><script>'}">${"<b>"}</td>`.text).toBe('<td title="&#34;&#62;&#60;script&#62;">&#60;b&#62;</td>');
  });

  it("builds links only from validated record fields", () => {
    const good = auditRecord({ repository: "acme/api", time: "2026-01-01T00:00:00Z", pullRequest: 7, headSha: "a".repeat(40), workflowRunId: 99, issueNumber: 3 });
    expect(recordLinks("https://github.com", good).map((l) => l.url)).toEqual([
      "https://github.com/acme/api/pull/7",
      `https://github.com/acme/api/commit/${"a".repeat(40)}`,
      "https://github.com/acme/api/actions/runs/99",
      "https://github.com/acme/api/issues/3",
    ]);
    const bad = auditRecord({ repository: "acme/api", time: "2026-01-01T00:00:00Z", headSha: "javascript:alert(1)" });
    expect(recordLinks("https://github.com", bad)).toEqual([]);
    expect(recordLinks("https://github.com", { ...good, repository: "../../evil" })).toEqual([]);
  });
});
