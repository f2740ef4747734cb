import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policyJsonSchemaText } from "./json-schema.js";

/**
 * `npm run schema`: writes `policy.schema.json` at the repository root. This
 * file sits two directories below the root both as source (src/policy) and as
 * build output (dist/policy), so the same relative URL works for either.
 */
const target = fileURLToPath(new URL("../../policy.schema.json", import.meta.url));
writeFileSync(target, policyJsonSchemaText());
console.log(`wrote ${target}`);
