import { POLICY_FILE } from "../../policy/schema.js";
import { agentFields, agentLabel, changeClause, pathAsset } from "../describe.js";
import { normalizeChangedPath } from "../paths.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * Compared case-insensitively on normalised paths (either side of a rename),
 * so `.Agent-Policy.yml` or `./x/../.agent-policy.yml` cannot pass as another
 * file. `.agent-policy.yml` is always protected, whatever the shell passes.
 */
export const policySelfEdit = {
  id: "policy-self-edit",
  describe: "An AI assistant changes the policy file this change is judged by (or any file the policy is loaded from): deny.",
  evaluate({ agents, files, facts }) {
    if (agents.length === 0) return [];
    const policyPaths = new Set([POLICY_FILE, ...facts.policyPaths].map((p) => normalizeChangedPath(p).path.toLowerCase()));
    const hits = files.filter((f) => policyPaths.has(f.path.toLowerCase()));
    return agents.flatMap((agent) =>
      hits.map(
        (file): Finding => ({
          ruleId: "policy-self-edit",
          verdict: "deny",
          asset: { ...pathAsset(file), kind: "policy" },
          ...agentFields(agent),
          message: `${agentLabel(agent)} ${changeClause(file)} is the agent policy this change is judged by; only a human may change it.`,
          remedy: "Have a human make the policy change in a separate pull request.",
        }),
      ),
    );
  },
} satisfies Rule;
