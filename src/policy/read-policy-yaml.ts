import { Composer, CST, Lexer, LineCounter, Parser, type Document } from "yaml";

/**
 * Budgets that keep any policy file, however hostile, to a fraction of a
 * second of work, bounded by its size and structure rather than by how many
 * agents or rules it declares: an organisation's policy may fill the whole
 * 256 KiB. Each is enforced before the step it protects: size before lexing,
 * tokens and flow depth while lexing, nesting depth before composing (the
 * `yaml` composer recurses per level and overflows the stack around 1000
 * levels), nodes before validating.
 *
 * Tokens and nodes are budgeted by density: written-out YAML spends 3–4 bytes
 * per token and 7+ bytes per value, while what is only cheap to write and
 * costly to read — blank lines, `[:,:,…]` — spends one byte or less. So at
 * any point the file may hold `maxTokens` tokens, or one per `bytesPerToken`
 * bytes read so far, whichever is more (likewise for values).
 */
export const YAML_LIMITS = {
  maxBytes: 256 * 1024,
  /** The `yaml` parser costs 4–15 µs per token: 131 072 tokens at most in 256 KiB. */
  maxTokens: 10_000,
  bytesPerToken: 2,
  maxDepth: 64,
  /** Values (scalars and collections): 87 381 at most in 256 KiB. */
  maxNodes: 5_000,
  bytesPerNode: 3,
} as const;

/** How many tokens (or values) a file may hold once `offset` bytes of it are read. */
export function densityBudget(floor: number, offset: number, bytesPer: number): number {
  return Math.max(floor, Math.floor(offset / bytesPer));
}

/** A refusal at source offsets `[start, end)`. */
export interface YamlProblem {
  range: [number, number];
  message: string;
}

export type ReadYamlResult = { lineCounter: LineCounter } & (
  | { ok: true; doc: Document.Parsed }
  | { ok: false; problem: YamlProblem }
);

/*
 * Anchors and aliases are refused outright rather than budgeted: a policy is
 * reviewed as security configuration, so every value should be written where
 * it applies, and without aliases no expansion ("billion laughs") is possible
 * and every error maps to exactly one place in the file.
 */
const ALIAS_MESSAGE =
  "YAML anchors and aliases (&name, *name) are not allowed in a policy file; write each value out where it applies";

/**
 * Fixed `schema` and `merge`, so a `%YAML 1.1` directive cannot turn on 1.1
 * booleans, timestamps or `<<` merges. Duplicate keys are found by
 * findKeyProblems in linear time instead of yaml's quadratic `uniqueKeys`.
 */
const COMPOSE_OPTIONS = {
  version: "1.2",
  schema: "core",
  merge: false,
  uniqueKeys: false,
  strict: true,
  prettyErrors: false,
} as const;

/**
 * Reads `text` (already within YAML_LIMITS.maxBytes) as exactly one YAML
 * document. YAML syntax errors stay in `doc.errors`; budget breaches, anchors,
 * aliases and extra documents are returned as a problem.
 */
export function readPolicyYaml(text: string): ReadYamlResult {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) lineCounter.addNewLine(nl + 1);
  const refuse = (start: number, end: number, message: string): ReadYamlResult => ({
    ok: false,
    lineCounter,
    problem: { range: [start, Math.max(start, end)], message },
  });

  const lexical = checkTokens(text);
  if (lexical) return refuse(lexical.range[0], lexical.range[1], lexical.message);

  const cst = [...new Parser().parse(text)];
  for (const token of cst) {
    const deep = tooDeep(token);
    if (deep) return refuse(deep.offset, deep.offset + 1, depthMessage());
  }

  const docs: Document.Parsed[] = [];
  // YAML errors are Error objects; capturing a stack for each of thousands of
  // them costs ~10 µs apiece and nothing here reads those stacks.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const doc of new Composer(COMPOSE_OPTIONS).compose(cst, true, text.length)) {
      docs.push(doc);
      if (docs.length > 1) {
        const message = "the policy file must contain exactly one YAML document; remove the extra '---' document starting here";
        return refuse(doc.range[0], doc.range[1], message);
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const doc = docs[0];
  return doc ? { ok: true, lineCounter, doc } : refuse(0, 0, "the policy file could not be read as a YAML document");
}

/**
 * One pass of the lexer alone (several times cheaper per token than parsing),
 * stopping at the first token over budget, flow collection nested too deep,
 * anchor or alias.
 */
function checkTokens(text: string): YamlProblem | undefined {
  let tokens = 0;
  let offset = 0;
  let flowDepth = 0;
  let scalarContentNext = false;
  for (const lexeme of new Lexer().lex(text)) {
    const at = (message: string): YamlProblem => ({ range: [offset, offset + Math.max(1, lexeme.length)], message });
    const budget = densityBudget(YAML_LIMITS.maxTokens, offset, YAML_LIMITS.bytesPerToken);
    if (++tokens > budget) {
      const where = budget > YAML_LIMITS.maxTokens ? ` in its first ${offset} bytes` : "";
      return at(`the policy file is too large to check: more than ${budget} YAML tokens${where} (a policy is normally a few hundred lines)`);
    }
    // After a SCALAR marker the lexer emits the scalar's raw text, whose first character says nothing about its type.
    const type: string | null = scalarContentNext ? "scalar-content" : CST.tokenType(lexeme);
    scalarContentNext = type === "scalar";
    if (type === "anchor" || type === "alias") return at(ALIAS_MESSAGE);
    if (type === "flow-seq-start" || type === "flow-map-start") {
      if (++flowDepth > YAML_LIMITS.maxDepth) return at(depthMessage());
    } else if (type === "flow-seq-end" || type === "flow-map-end") {
      flowDepth = Math.max(0, flowDepth - 1);
    }
    // Markers the lexer inserts (document mode, scalar, flow error) are not in the source.
    if (type !== "scalar" && type !== "doc-mode" && type !== "flow-error-end") offset += lexeme.length;
  }
  return undefined;
}

/** The first CST token nested deeper than YAML_LIMITS.maxDepth, walked without recursion. */
function tooDeep(root: CST.Token): CST.Token | undefined {
  const stack: Array<[CST.Token, number]> = [[root, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [token, depth] = entry;
    if (depth > YAML_LIMITS.maxDepth) return token;
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

function depthMessage(): string {
  return `the policy file nests values more than ${YAML_LIMITS.maxDepth} levels deep`;
}
