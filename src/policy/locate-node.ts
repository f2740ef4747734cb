import { isCollection, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";

/** The deepest YAML node reached along a key path, and how it was reached. */
export interface LocatedNode {
  node: Node;
  /** The mapping pair whose value `node` is, when it was reached through a key. */
  pair?: Pair<unknown, unknown>;
  /** How many key-path segments were resolved (the whole path when equal to its length). */
  resolved: number;
}

/** Follows `keyPath` (mapping keys compared as text, sequence indexes) from `root` as far as the document goes. */
export function locateKeyPath(root: Node, keyPath: readonly (string | number)[]): LocatedNode {
  let here: LocatedNode = { node: root, resolved: 0 };
  for (const segment of keyPath) {
    const next = child(here.node, segment);
    if (!next) break;
    here = { ...next, resolved: here.resolved + 1 };
  }
  return here;
}

function child(node: Node, segment: string | number): Omit<LocatedNode, "resolved"> | undefined {
  if (isMap(node)) {
    const pair = findPair(node.items, String(segment));
    if (pair && isNodeLike(pair.value)) return { node: pair.value, pair };
    if (pair && isNodeLike(pair.key)) return { node: pair.key, pair };
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    if (isNodeLike(item)) return { node: item };
  }
  return undefined;
}

/** The pair of `items` whose scalar key reads `key`. */
export function findPair(items: readonly Pair<unknown, unknown>[], key: string): Pair<unknown, unknown> | undefined {
  return items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
}

/**
 * The source range that best shows a node to a maintainer: a block mapping or
 * list is shown at the key that names it (its own range starts at its first
 * entry, which reads as pointing at the wrong key); an empty value at its key;
 * anything else at itself.
 */
export function displayRange(located: Omit<LocatedNode, "resolved">): [number, number] {
  const { node, pair } = located;
  const key = pair && isNodeLike(pair.key) ? pair.key : undefined;
  const blockCollection = isCollection(node) && !node.flow;
  const empty = isScalar(node) && node.value === null && rangeOf(node)[0] === rangeOf(node)[1];
  if (key && key !== node && (blockCollection || empty)) return rangeOf(key);
  return rangeOf(node);
}

/** The key path of the innermost node whose source contains `offset` (a key counts as its pair's path). */
export function keyPathAt(root: Node, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  let node: Node | undefined = root;
  while (node) {
    let next: Node | undefined;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isNodeLike(pair.key) ? pair.key : undefined;
        const value = isNodeLike(pair.value) ? pair.value : undefined;
        if (key && contains(key, offset)) {
          if (isScalar(key)) path.push(String(key.value));
          return path;
        }
        if (value && contains(value, offset) && isScalar(key)) {
          path.push(String(key.value));
          next = value;
          break;
        }
      }
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => isNodeLike(item) && contains(item, offset));
      if (index >= 0) {
        path.push(index);
        next = node.items[index] as Node;
      }
    }
    node = next;
  }
  return path;
}

function contains(node: Node, offset: number): boolean {
  const [start, end] = rangeOf(node);
  return start <= offset && offset < Math.max(end, start + 1);
}

export function rangeOf(node: Node): [number, number] {
  return node.range ? [node.range[0], node.range[1]] : [0, 0];
}

function isNodeLike(value: unknown): value is Node {
  return isScalar(value) || isCollection(value);
}
