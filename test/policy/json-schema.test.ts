import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyJsonSchema, policyJsonSchemaText } from "../../src/policy/json-schema.js";

const committedPath = new URL("../../policy.schema.json", import.meta.url);

/** Every value of `key` anywhere in the schema. */
function collect(node: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((item) => collect(item, key, found));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

describe("policy.schema.json", () => {
  it("is committed and matches the zod schema (run `npm run schema` after changing src/policy/schema.ts)", () => {
    expect(existsSync(committedPath), "policy.schema.json is missing: run `npm run schema`").toBe(true);
    expect(readFileSync(committedPath, "utf8"), "policy.schema.json is out of date: run `npm run schema` and commit it").toBe(
      policyJsonSchemaText(),
    );
  });

  it("is a draft-07 schema that editors can load: identified, titled, strict about keys", () => {
    const schema = policyJsonSchema() as {
      $schema: string;
      $id: string;
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: { agents: { propertyNames: { pattern: string }; additionalProperties: Record<string, unknown> } };
    };
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.$id).toMatch(/^urn:/);
    expect(schema.title).toContain(".agent-policy.yml");
    expect(schema.required).toEqual(["version"]);
    expect(schema.additionalProperties).toBe(false);
    const agent = schema.properties.agents.additionalProperties;
    expect(agent).toMatchObject({ required: ["owner", "match"], additionalProperties: false });
    expect(new RegExp(schema.properties.agents.propertyNames.pattern).test("claude-local")).toBe(true);
    expect(new RegExp(schema.properties.agents.propertyNames.pattern).test("Claude")).toBe(false);
  });

  it("has no object without additionalProperties: false, so editors flag unknown keys as the app does", () => {
    const objects = collect(policyJsonSchema(), "properties").length;
    const closed = collect(policyJsonSchema(), "additionalProperties").filter((v) => v === false).length;
    expect(closed).toBe(objects);
  });

  it("uses only patterns that compile as Unicode regular expressions, as editors compile them", () => {
    const patterns = collect(policyJsonSchema(), "pattern");
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) expect(() => new RegExp(String(pattern), "u"), String(pattern)).not.toThrow();
  });
});
