import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../src/engine/catalogue.js";
import { RULE_IDS } from "../../src/engine/types.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("documents every rule id in the rules table", () => {
    const missing = RULE_IDS.filter((id) => !readme.includes(`| \`${id}\` |`));
    expect(missing).toEqual([]);
  });

  it("lists every catalogue assistant", () => {
    const missing = CATALOGUE.map((e) => e.id).filter((id) => !readme.includes(`| \`${id}\` |`));
    expect(missing).toEqual([]);
  });

  it("opens with the install-and-start command and the test command that .ci/run uses", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm run build && npm start");
    expect(firstBlock).toContain("npm test");
    expect(readFileSync(new URL("../../.ci/run", import.meta.url), "utf8")).toMatch(/^npm test\b/m);
  });
});
