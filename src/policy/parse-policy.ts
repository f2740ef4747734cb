import { Buffer } from "node:buffer";
import { isMap, isScalar, isSeq, type Document, type LineCounter, type YAMLError } from "yaml";
import { checkDocumentBudget } from "./check-document-budget.js";
import { findKeyProblems } from "./find-key-problems.js";
import { displayRange, keyPathAt } from "./locate-node.js";
import { issueAt, reportable, type PolicyIssue } from "./policy-issue.js";
import { readPolicyYaml, YAML_LIMITS } from "./read-policy-yaml.js";
import { positionSchemaIssue } from "./schema-issues.js";
import { describeSchemaProblem } from "./schema-messages.js";
import { POLICY_FILE, policySchema, type Policy } from "./schema.js";

export { formatPolicyIssue, type PolicyIssue } from "./policy-issue.js";

export type ParseResult = { ok: true; policy: Policy; warnings: PolicyIssue[] } | { ok: false; issues: PolicyIssue[] };

export interface ParsePolicyOptions {
  /** The file name issues are reported against. */
  path?: string;
}

/**
 * Parses and validates the text of a policy file. Never throws on user input:
 * every problem — size, YAML syntax, hostile structure, schema — comes back as
 * issues with a 1-based line and column, sorted by position, at most 50 (plus
 * one saying how many more). Warnings (e.g. an unknown YAML tag, read as plain
 * text) do not fail the policy.
 */
export function parsePolicy(text: string, { path = POLICY_FILE }: ParsePolicyOptions = {}): ParseResult {
  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap test comes first.
  if (text.length > YAML_LIMITS.maxBytes || Buffer.byteLength(text, "utf8") > YAML_LIMITS.maxBytes) {
    const kib = Math.ceil(Buffer.byteLength(text, "utf8") / 1024);
    return fail(path, `the policy file is ${kib} KiB; the limit is ${YAML_LIMITS.maxBytes / 1024} KiB`);
  }
  if (text.trim() === "") return fail(path, emptyMessage());

  try {
    const read = readPolicyYaml(text);
    const { lineCounter } = read;
    if (!read.ok) return { ok: false, issues: [issueAt(path, lineCounter, read.problem.range, [], read.problem.message)] };
    return validate(read.doc, { path, lineCounter });
  } catch (cause) {
    // A defect in a parsing library must still fail closed with a readable reason, not crash the caller.
    return fail(path, `the policy file could not be checked: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function validate(doc: Document.Parsed, ctx: { path: string; lineCounter: LineCounter }): ParseResult {
  const { path, lineCounter } = ctx;
  const root = doc.contents;
  // Only the issues that will be shown are placed in the key path (a linear search each).
  const yamlIssue = (error: YAMLError, index: number) => describeYamlError(error, index <= 50 ? root : null, ctx);
  if (doc.errors.length > 0) return { ok: false, issues: reportable(doc.errors.map(yamlIssue)) };
  if (!root || (isScalar(root) && root.value === null)) return fail(path, emptyMessage());
  if (!isMap(root)) {
    const kind = isSeq(root) ? "a list" : "a single value";
    return { ok: false, issues: [issueAt(path, lineCounter, displayRange({ node: root }), [], `the policy must be a mapping of keys such as version and agents, not ${kind}`)] };
  }

  const budget = checkDocumentBudget(doc);
  if (budget) return { ok: false, issues: [issueAt(path, lineCounter, budget.range, [], budget.message)] };
  const keyProblems = findKeyProblems(doc);
  if (keyProblems.length > 0) {
    return { ok: false, issues: reportable(keyProblems.map((p) => issueAt(path, lineCounter, p.range, p.keyPath, p.message))) };
  }

  // Anchors and aliases were refused while reading; maxAliasCount 0 makes any alias that slipped through throw.
  const data: unknown = doc.toJS({ maxAliasCount: 0 });
  const parsed = policySchema.safeParse(data, { error: describeSchemaProblem });
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => positionSchemaIssue(issue, { file: path, root, lineCounter }));
    return { ok: false, issues: reportable(issues) };
  }
  return { ok: true, policy: parsed.data, warnings: reportable(doc.warnings.map(yamlIssue)) };
}

/** YAML's own messages, reworded where a maintainer would not recognise them, and placed in the policy when possible. */
function describeYamlError(error: YAMLError, root: Document.Parsed["contents"], ctx: { path: string; lineCounter: LineCounter }): PolicyIssue {
  const keyPath = root ? keyPathAt(root, error.pos[0]) : [];
  let message: string;
  switch (error.code) {
    case "TAG_RESOLVE_FAILED":
      message = `${error.message.replace(/^Unresolved tag/, "unknown YAML tag")}; the value is read as plain text`;
      break;
    case "RESOURCE_EXHAUSTION":
      message = `the policy file is too complex to read (${error.message})`;
      break;
    default:
      message = `YAML syntax error: ${error.message}`;
  }
  return issueAt(ctx.path, ctx.lineCounter, error.pos, keyPath, message);
}

function emptyMessage(): string {
  return 'the policy file is empty; it must contain at least "version: 1"';
}

function fail(path: string, message: string): ParseResult {
  return { ok: false, issues: [{ path, keyPath: [], line: 1, column: 1, message }] };
}
