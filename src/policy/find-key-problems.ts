import { isScalar, visit, type Document, type Node } from "yaml";
import { keyPathAt, rangeOf } from "./locate-node.js";
import { formatKeyPath } from "./policy-issue.js";

export interface KeyProblem {
  range: [number, number];
  keyPath: (string | number)[];
  message: string;
}

/**
 * Duplicate, non-text and `__proto__` mapping keys, at most `max` of them.
 * zod's records silently drop a `__proto__` key, so an agent declared under
 * that name would vanish without an error; it is refused here. Keys are compared
 * as the text they become in the parsed policy, so `1:` and `"1":` collide as
 * they would after parsing. This replaces yaml's own `uniqueKeys` check, which
 * compares each key with every earlier one (16 000 keys in one mapping took 3 s).
 */
export function findKeyProblems(doc: Document.Parsed, max = 51): KeyProblem[] {
  const root = doc.contents;
  const problems: KeyProblem[] = [];
  if (!root) return problems;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        if (!isScalar(key)) {
          const range = key ? rangeOf(key) : rangeOf(map);
          problems.push({ range, keyPath: keyPathAt(root, range[0]), message: "mapping keys must be plain text, not a list or mapping" });
        } else {
          const text = String(key.value);
          if (seen.has(text) || text === "__proto__") {
            const keyPath = keyPathAt(root, rangeOf(key)[0]);
            const parent = keyPath.slice(0, -1);
            const where = parent.length > 0 ? `in ${formatKeyPath(parent)}` : "at the top level";
            const message = seen.has(text)
              ? `duplicate key ${JSON.stringify(text)} ${where}; a key may appear only once in a mapping`
              : `the key "__proto__" is not allowed ${where}`;
            problems.push({ range: rangeOf(key), keyPath, message });
          }
          seen.add(text);
        }
        if (problems.length >= max) return visit.BREAK;
      }
      return undefined;
    },
  });
  return problems;
}
