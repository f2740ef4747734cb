import { displayRange, locateKeyPath } from "./locate-node.js";
import { issueAt, type PolicyIssue } from "./policy-issue.js";
import { readPolicyYaml } from "./read-policy-yaml.js";

/** A problem found in a parsed policy, known by its key path only. */
export interface KeyPathProblem {
  keyPath: (string | number)[];
  message: string;
}

export interface PlacedProblem extends PolicyIssue {
  /** True when the file spells out the whole key path; false when the problem is about a default or a missing key. */
  written: boolean;
}

/**
 * Puts problems found after parsing (semantic checks, a comparison with the
 * org baseline) at their line and column in the policy's text, the way the
 * parser places its own: at the deepest node of the key path the file has.
 * `text` is the policy file that parsed; a file that cannot be read again
 * places every problem at 1:1.
 */
export function placeProblems(text: string, path: string, problems: readonly KeyPathProblem[]): PlacedProblem[] {
  const read = readPolicyYaml(text);
  const root = read.ok ? read.doc.contents : null;
  return problems.map((problem) => {
    if (!root) return { path, keyPath: problem.keyPath, line: 1, column: 1, message: problem.message, written: false };
    const located = locateKeyPath(root, problem.keyPath);
    const issue = issueAt(path, read.lineCounter, displayRange(located), problem.keyPath, problem.message);
    return { ...issue, written: located.resolved === problem.keyPath.length };
  });
}
