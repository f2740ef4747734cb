import fc from "fast-check";

/** A JSON path into a payload: object keys and array indexes. */
export type Path = (string | number)[];

export type MutationKind = "remove" | "null" | "wrong-type" | "huge-string" | "hostile-string" | "empty" | "unknown-action";

export interface Mutation {
  kind: MutationKind;
  path: Path;
  /** Picks among the kind's candidate values. */
  pick: number;
}

const HUGE = ["x".repeat(100_000), "é".repeat(300_000), "0".repeat(1_000_000)];
const HOSTILE = [
  "",
  "../../.agent-policy.yml",
  "refs/heads/",
  "@everyone #1 [click](https://evil.example) <img src=x>",
  "\u0000\u001b[31m\u202e",
  "| a | b |\n---",
  "__proto__",
  "constructor",
  " ",
  "9".repeat(400),
];
const WRONG: unknown[] = [42, -1, 0, 1.5, Number.MAX_SAFE_INTEGER, "text", true, false, [], {}, [null], { id: "1" }];

/** Keys of no use to the app and many in number (links, node ids): left out, so mutations land where handlers read. */
const NOISE = /(^|_)url$|^node_id$|^gravatar_id$|^avatar_url$/;
const KEEP = new Set(["deployment_callback_url", "compare", "html_url"]);

/** Every path of `payload` a mutation may hit: objects, arrays and leaves, down to `maxDepth`. */
export function mutablePaths(payload: unknown, maxDepth = 6): Path[] {
  const paths: Path[] = [];
  const walk = (node: unknown, path: Path) => {
    if (path.length > 0) paths.push(path);
    if (path.length >= maxDepth || node === null || typeof node !== "object") return;
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.slice(0, 3).map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      if (typeof key === "string" && NOISE.test(key) && !KEEP.has(key)) continue;
      walk(value, [...path, key]);
    }
  };
  walk(payload, []);
  return paths;
}

/** One to three mutations of `paths`. */
export function mutationsOf(paths: readonly Path[]): fc.Arbitrary<Mutation[]> {
  const kinds: MutationKind[] = ["remove", "null", "wrong-type", "huge-string", "hostile-string", "empty", "unknown-action"];
  const mutation = fc.record({ kind: fc.constantFrom(...kinds), path: fc.constantFrom(...paths), pick: fc.nat({ max: 1_000 }) });
  return fc.array(mutation, { minLength: 1, maxLength: 3 });
}

/** Applies the mutations to a copy of `payload`. */
export function mutate(payload: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const copy = structuredClone(payload);
  for (const m of mutations) {
    if (m.kind === "unknown-action") {
      copy.action = `fuzzed_${m.pick}`;
      continue;
    }
    const parent = m.path.slice(0, -1).reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as any)[key] : undefined), copy);
    if (parent === null || typeof parent !== "object") continue;
    const key = m.path.at(-1)!;
    const target = parent as Record<string | number, unknown>;
    const current = target[key];
    switch (m.kind) {
      case "remove":
        if (Array.isArray(target) && typeof key === "number") target.splice(key, 1);
        else delete target[key];
        break;
      case "null":
        target[key] = null;
        break;
      case "wrong-type": {
        const others = WRONG.filter((v) => kindOf(v) !== kindOf(current));
        target[key] = structuredClone(others[m.pick % others.length]);
        break;
      }
      case "huge-string":
        target[key] = HUGE[m.pick % HUGE.length];
        break;
      case "hostile-string":
        target[key] = HOSTILE[m.pick % HOSTILE.length];
        break;
      case "empty":
        target[key] = Array.isArray(current) ? [] : typeof current === "object" && current !== null ? {} : "";
        break;
    }
  }
  return copy;
}

/** Describes mutations for a failure message, without printing megabytes. */
export function describeMutations(mutations: readonly Mutation[]): string {
  return mutations.map((m) => `${m.kind} ${m.kind === "unknown-action" ? "action" : m.path.join(".")} (${m.pick})`).join("; ");
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
