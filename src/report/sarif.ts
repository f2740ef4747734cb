import { createRequire } from "node:module";

/**
 * SARIF 2.1.0 logs, the format code scanning reads (`github/codeql-action/upload-sarif`):
 * policy errors and findings show up on the file and line they concern.
 */

export type SarifLevel = "error" | "warning" | "note";

export interface SarifRule {
  id: string;
  /** One line: what the rule checks. */
  description: string;
  /** How to satisfy it, shown as the rule's help. */
  help?: string;
  level: SarifLevel;
}

export interface SarifResult {
  ruleId: string;
  level: SarifLevel;
  message: string;
  /** Repository-relative path of the file the result is about. */
  path: string;
  /** 1-based. */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  properties?: Record<string, unknown>;
}

/** Both src/report and dist/report sit two directories below the package root. */
const version: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

const SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** A SARIF log of one run of `agent-policy`; `category` tells code scanning which of the tool's analyses it replaces. */
export function sarifLog(input: { rules: readonly SarifRule[]; results: readonly SarifResult[]; category: string }): Record<string, unknown> {
  const rules = dedupeRules(input.rules);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  return {
    $schema: SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "agent-policy",
            version,
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.description },
              ...(rule.help ? { help: { text: rule.help } } : {}),
              defaultConfiguration: { level: rule.level },
            })),
          },
        },
        automationDetails: { id: `agent-policy/${input.category}/` },
        results: input.results.map((result) => ({
          ruleId: result.ruleId,
          ...(index.has(result.ruleId) ? { ruleIndex: index.get(result.ruleId) } : {}),
          level: result.level,
          message: { text: result.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uriOf(result.path), uriBaseId: "%SRCROOT%" },
                region: region(result),
              },
            },
          ],
          ...(result.properties ? { properties: result.properties } : {}),
        })),
      },
    ],
  };
}

function dedupeRules(rules: readonly SarifRule[]): SarifRule[] {
  const seen = new Map<string, SarifRule>();
  for (const rule of rules) if (!seen.has(rule.id)) seen.set(rule.id, rule);
  return [...seen.values()];
}

/** A relative URI reference: each segment percent-encoded, so spaces, `#` or `%` in a path cannot change what it names. */
function uriOf(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function region(result: SarifResult): Record<string, number> {
  const startLine = Math.max(1, result.line ?? 1);
  const out: Record<string, number> = { startLine };
  if (result.column !== undefined) out.startColumn = Math.max(1, result.column);
  if (result.endLine !== undefined && result.endLine >= startLine) {
    out.endLine = result.endLine;
    if (result.endColumn !== undefined && (result.endLine > startLine || result.endColumn >= (out.startColumn ?? 1))) out.endColumn = Math.max(1, result.endColumn);
  }
  return out;
}
