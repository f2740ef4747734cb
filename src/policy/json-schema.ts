import { z } from "zod";
import { POLICY_FILE, policySchema } from "./schema.js";

/**
 * Identifies the schema without claiming a download location: the repository
 * that hosts `policy.schema.json` is the installer's choice (see README).
 */
export const POLICY_SCHEMA_ID = "urn:agent-policy:policy-schema:v1";

/**
 * The JSON Schema editors use to validate `.agent-policy.yml` (e.g. through a
 * `# yaml-language-server: $schema=…` comment). It describes what may be
 * written (`io: "input"`: keys with defaults are optional) and targets draft-07,
 * the draft yaml-language-server and most editors support fully. Checks zod
 * cannot express (glob safety, calendar dates, unique step-up names) are left
 * to the app, which reports them with line and column.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(policySchema, { io: "input", target: "draft-07" });
  return {
    $schema,
    $id: POLICY_SCHEMA_ID,
    title: `agent-policy ${POLICY_FILE}`,
    description:
      "Which AI coding assistants may act on this repository: each one's accountable owner, identities, expiry, revocation switch and scope (paths, branches, workflows, environments), plus step-up review rules.",
    ...rest,
  };
}

/** The exact text of the committed `policy.schema.json`: two-space JSON and a final newline. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
