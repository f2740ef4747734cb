import { createRequire } from "node:module";
import type AjvDraft04 from "ajv-draft-04";
import type addFormatsFn from "ajv-formats";

/**
 * The official SARIF 2.1.0 JSON Schema (test/fixtures/sarif, see SOURCE.md
 * there), compiled once with Ajv's draft-04 validator and its formats.
 */
const require = createRequire(import.meta.url);
// Both packages are CommonJS with a default export, which NodeNext's default import does not unwrap.
const Ajv = require("ajv-draft-04") as typeof AjvDraft04.default;
const addFormats = require("ajv-formats") as typeof addFormatsFn.default;
const schema = require("../fixtures/sarif/sarif-schema-2.1.0.json") as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** The schema's complaints about `log`; empty when it is valid SARIF 2.1.0. */
export function sarifSchemaErrors(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}
