import { Composer, CST, isAlias, isMap, isScalar, isSeq, LineCounter, Parser, type Document, type Node } from "yaml";
import type { Position } from "../engine/workflow-document.js";

/**
 * Budgets that keep any workflow file, however hostile, to a bounded amount
 * of work: size before parsing, nesting depth before composing (the `yaml`
 * composer recurses per level), values while converting (an alias counts
 * again every time it is used, so "billion laughs" stops at the budget).
 * Real workflows are far below each.
 */
export const WORKFLOW_YAML_LIMITS = {
  maxBytes: 512 * 1024,
  maxDepth: 64,
  maxValues: 50_000,
} as const;

/** A YAML value with the position of its first character, aliases resolved. */
export type YamlValue =
  | { kind: "map"; entries: YamlEntry[]; at: Position }
  | { kind: "seq"; items: YamlValue[]; at: Position }
  | { kind: "scalar"; value: string | number | boolean | null; at: Position };

export interface YamlEntry {
  key: string;
  keyAt: Position;
  value: YamlValue;
}

export type ReadWorkflowYamlResult = { ok: true; root: YamlValue } | { ok: false; reason: string; at?: Position };

/**
 * Fixed YAML 1.2 core schema (so `on` is a key, not a boolean), no `<<`
 * merges; duplicate keys are found while converting, in linear time.
 */
const COMPOSE_OPTIONS = { version: "1.2", schema: "core", merge: false, uniqueKeys: false, strict: true, prettyErrors: false } as const;

class Refusal extends Error {
  constructor(
    message: string,
    readonly at?: Position,
  ) {
    super(message);
  }
}

/**
 * Reads a workflow or action file as exactly one YAML document. Anything this
 * reader cannot read with certainty — a syntax error, a second document, a
 * duplicate key (which copy GitHub would use is not ours to guess), a `<<`
 * merge key, a complex key, a budget breach — is refused with the reason, so
 * the caller can fail closed.
 */
export function readWorkflowYaml(text: string): ReadWorkflowYamlResult {
  if (Buffer.byteLength(text, "utf8") > WORKFLOW_YAML_LIMITS.maxBytes) {
    return { ok: false, reason: `the file is larger than ${WORKFLOW_YAML_LIMITS.maxBytes} bytes` };
  }
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  try {
    const cst = [...new Parser(lineCounter.addNewLine).parse(text)];
    for (const token of cst) {
      const deep = tooDeep(token);
      if (deep !== undefined) throw new Refusal(`values are nested more than ${WORKFLOW_YAML_LIMITS.maxDepth} levels deep`, position(deep));
    }
    const docs: Document.Parsed[] = [];
    for (const doc of new Composer(COMPOSE_OPTIONS).compose(cst, true, text.length)) docs.push(doc);
    const [doc, extra] = docs;
    if (!doc) throw new Refusal("the file holds no YAML document");
    if (extra) throw new Refusal("the file holds more than one YAML document", position(extra.range[0]));
    const [error] = doc.errors;
    if (error) throw new Refusal(`it is not valid YAML: ${error.message.split("\n")[0]}`, position(error.pos[0]));
    if (!doc.contents) throw new Refusal("the file is empty");
    const budget = { values: 0 };
    return { ok: true, root: convert(doc, doc.contents, position, budget, 0) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message, ...(error.at ? { at: error.at } : {}) };
    throw error;
  }
}

function convert(doc: Document.Parsed, node: unknown, position: (offset: number) => Position, budget: { values: number }, depth: number): YamlValue {
  const at = position(rangeStart(node));
  if (++budget.values > WORKFLOW_YAML_LIMITS.maxValues) throw new Refusal(`the file has more than ${WORKFLOW_YAML_LIMITS.maxValues} values (aliases count each time they are used)`, at);
  if (depth > WORKFLOW_YAML_LIMITS.maxDepth * 4) throw new Refusal("aliases nest values too deep", at);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new Refusal(`the alias *${node.source} names no anchor`, at);
    return convert(doc, target, position, budget, depth + 1);
  }
  if (isMap(node)) {
    const entries: YamlEntry[] = [];
    const seen = new Set<string>();
    for (const pair of node.items) {
      const keyNode = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      const keyAt = position(rangeStart(pair.key));
      if (keyNode !== null && keyNode !== undefined && !isScalar(keyNode)) throw new Refusal("a mapping key is not a plain value", keyAt);
      const key = keyNode === null || keyNode === undefined || keyNode.value === null ? "" : String(keyNode.value);
      if (key === "<<") throw new Refusal("YAML merge keys (<<) are not supported", keyAt);
      if (seen.has(key)) throw new Refusal(`the key "${key}" appears twice in one mapping`, keyAt);
      seen.add(key);
      const value: YamlValue =
        pair.value === null || pair.value === undefined ? { kind: "scalar", value: null, at: keyAt } : convert(doc, pair.value, position, budget, depth + 1);
      entries.push({ key, keyAt, value });
    }
    return { kind: "map", entries, at };
  }
  if (isSeq(node)) return { kind: "seq", items: node.items.map((item) => convert(doc, item, position, budget, depth + 1)), at };
  if (isScalar(node)) {
    const { value } = node;
    return { kind: "scalar", value: typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : value === null ? null : String(value), at };
  }
  throw new Refusal("the file holds a value that is not a mapping, a list or a plain value", at);
}

function rangeStart(node: unknown): number {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : 0;
}

/** The offset of the first CST token nested deeper than the limit, walked without recursion. */
function tooDeep(root: CST.Token): number | undefined {
  const stack: Array<[CST.Token, number]> = [[root, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [token, depth] = entry;
    if (depth > WORKFLOW_YAML_LIMITS.maxDepth) return token.offset;
    if (token.type === "document" && token.value) stack.push([token.value, depth]);
    if (CST.isCollection(token)) {
      for (const item of token.items) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}
