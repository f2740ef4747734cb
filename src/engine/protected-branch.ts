import type { Policy } from "../policy/schema.js";
import { firstMatch } from "./glob.js";

/**
 * True when no agent may push to `branch`: the repository's default branch
 * always, and every branch matching `protected_branches`. The globs match
 * case-insensitively (deny side, see glob.ts): protection must not be dodged
 * by spelling a branch `Main` or `Release/1.x`.
 */
export function isProtectedBranch(policy: Policy, branch: string, defaultBranch: string): boolean {
  return protectedBy(policy, branch, defaultBranch) !== undefined;
}

/** Why `branch` is protected (`the default branch`, or the matching glob), for explanations; undefined when it is not. */
export function protectedBy(policy: Policy, branch: string, defaultBranch: string): string | undefined {
  if (branch === defaultBranch || branch.toLowerCase() === defaultBranch.toLowerCase()) return "the default branch";
  const glob = firstMatch(branch, policy.protected_branches, "deny");
  return glob === undefined ? undefined : `protected_branches: ${glob}`;
}
