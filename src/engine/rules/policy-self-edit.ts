import { POLICY_FILE } from "../../policy/schema.js";
import { agentFields, agentLabel, changeClause, pathAsset } from "../describe.js";
import { normalizeChangedPath } from "../paths.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * Compared case-insensitively on normalised paths (either side of a rename),
 * so `.Agent-Policy.yml` or `./x/../.agent-policy.yml` cannot pass as another
 * file. `.agent-policy.yml` is always protected, whatever the shell passes.
 * Replacing the file with a symlink changes that path too; a path below it
 * (turning it into a directory) or a directory holding it (a file or link
 * put in the directory's place) changes what is read from it, so both count.
 */
export const policySelfEdit = {
  id: "policy-self-edit",
  describe: "An AI assistant changes the policy file this change is judged by (or any file the policy is loaded from): deny.",
  evaluate({ agents, files, facts }) {
    if (agents.length === 0) return [];
    const policyPaths = new Set([POLICY_FILE, ...facts.policyPaths].map((p) => normalizeChangedPath(p).path.toLowerCase()));
    const hits = files.flatMap((file) => {
      const how = relation(file.path.toLowerCase(), policyPaths);
      return how ? [{ file, how }] : [];
    });
    return agents.flatMap((agent) =>
      hits.map(
        ({ file, how }): Finding => ({
          ruleId: "policy-self-edit",
          verdict: "deny",
          asset: { ...pathAsset(file), kind: "policy" },
          ...agentFields(agent),
          message: `${agentLabel(agent)} ${changeClause(file)} ${how} this change is judged by; only a human may change it.`,
          remedy: "Have a human make the policy change in a separate pull request.",
        }),
      ),
    );
  },
} satisfies Rule;

/** How a (lower-cased, normalised) changed path touches one of the policy paths, as the middle of the finding's sentence. */
function relation(path: string, policyPaths: ReadonlySet<string>): string | undefined {
  for (const policy of policyPaths) {
    if (path === policy) return "is the agent policy";
    if (path.startsWith(`${policy}/`)) return "would turn into a directory the agent policy";
    if (policy.startsWith(`${path}/`)) return "is a directory holding the agent policy";
  }
  return undefined;
}
