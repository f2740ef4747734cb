import { isMap, type LineCounter, type Node } from "yaml";
import type { z } from "zod";
import { displayRange, findPair, locateKeyPath, type LocatedNode } from "./locate-node.js";
import { formatKeyPath, issueAt, type PolicyIssue } from "./policy-issue.js";
import { policySchema } from "./schema.js";

export interface SchemaIssueContext {
  file: string;
  root: Node;
  lineCounter: LineCounter;
}

type KeyPath = (string | number)[];

/**
 * Turns one zod issue into positioned policy issues: an unknown key points at
 * that key, a missing key at the mapping that lacks it, a bad mapping key at the
 * key, anything else at the offending value.
 */
export function positionSchemaIssue(issue: z.core.$ZodIssue, ctx: SchemaIssueContext): PolicyIssue[] {
  const keyPath: KeyPath = issue.path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => unknownKey(keyPath, key, ctx));

  const located = locateKeyPath(ctx.root, keyPath);
  const at = (message: string, where: LocatedNode = located) =>
    issueAt(ctx.file, ctx.lineCounter, displayRange(where), keyPath, message);

  if (located.resolved < keyPath.length) {
    const missing = keyPath[located.resolved];
    if (located.resolved === keyPath.length - 1 && isMap(located.node) && typeof missing === "string") {
      const hint = keyPath.length === 1 && missing === "version" ? '; start the file with "version: 1"' : "";
      return [at(`missing required key "${missing}" ${inWhere(keyPath.slice(0, -1))}${hint}`)];
    }
    return [at(`${where(keyPath)} ${issue.message}`)];
  }
  if (issue.code === "invalid_key") {
    const key = keyPath.at(-1);
    const detail = issue.issues[0]?.message ?? issue.message;
    const keyRange = located.pair?.key ? { node: located.pair.key as Node } : located;
    return [issueAt(ctx.file, ctx.lineCounter, displayRange(keyRange), keyPath, `key ${JSON.stringify(String(key))} ${inWhere(keyPath.slice(0, -1))} ${detail}`)];
  }
  return [at(`${where(keyPath)} ${issue.message}`)];
}

function unknownKey(parentPath: KeyPath, key: string, ctx: SchemaIssueContext): PolicyIssue {
  const parent = locateKeyPath(ctx.root, parentPath);
  const pair = isMap(parent.node) ? findPair(parent.node.items, key) : undefined;
  const range = pair?.key ? displayRange({ node: pair.key as Node }) : displayRange(parent);
  const allowed = allowedKeys(parentPath);
  const suggestion = closest(key, allowed);
  const message =
    `unknown key ${JSON.stringify(key)} ${inWhere(parentPath)}` +
    (suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : "") +
    (allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "");
  return issueAt(ctx.file, ctx.lineCounter, range, [...parentPath, key], message);
}

function where(keyPath: KeyPath): string {
  return keyPath.length === 0 ? "the policy" : formatKeyPath(keyPath);
}

function inWhere(keyPath: KeyPath): string {
  return keyPath.length === 0 ? "at the top level" : `in ${formatKeyPath(keyPath)}`;
}

/** The keys the schema accepts for the mapping at `keyPath`, in schema order. */
function allowedKeys(keyPath: KeyPath): string[] {
  let schema = unwrap(policySchema);
  for (const segment of keyPath) {
    const def = schema._zod.def;
    let next: z.core.$ZodType | undefined;
    if (def.type === "object") next = (def as z.core.$ZodObjectDef).shape[String(segment)];
    else if (def.type === "record") next = (def as z.core.$ZodRecordDef).valueType;
    else if (def.type === "array") next = (def as z.core.$ZodArrayDef).element;
    if (!next) return [];
    schema = unwrap(next);
  }
  const def = schema._zod.def;
  return def.type === "object" ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

/** Looks through defaults, optionals and pipes to the schema that shapes the value. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    if ("innerType" in def) current = def.innerType as z.core.$ZodType;
    else if (def.type === "pipe") current = (def as z.core.$ZodPipeDef).in;
    else return current;
  }
}

/** The allowed key a typo most likely meant: at most two edits away (one for short keys). */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const budget = key.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= budget && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
