import { agentFields, agentLabel, changeClause, listPatterns, pathAsset } from "../describe.js";
import { firstMatch, matchesAny } from "../glob.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * Declared agents only (an undeclared one is already denied as unregistered).
 * `allow` matches case as GitHub stores it; `deny` case-insensitively; an empty
 * `allow` allows nothing. Both sides of a rename must be in scope.
 */
export const pathScope = {
  id: "path-scope",
  describe: "A declared AI assistant changes a path outside its `paths.allow` or inside its `paths.deny`: deny.",
  evaluate({ agents, files, policy }) {
    return agents.flatMap((agent) => {
      const grant = agent.declared ? policy.agents[agent.key] : undefined;
      if (!grant) return [];
      const { allow, deny } = grant.paths;
      const outside = `is outside its allowed paths (${listPatterns(allow)})`;
      return files.flatMap((file): Finding[] => {
        const denied = firstMatch(file.path, deny, "deny");
        let reason: string | undefined;
        if (denied !== undefined) reason = `matches its denied paths (${denied})`;
        else if (allow.length === 0) reason = "is not allowed: its policy allows no paths (paths.allow is empty)";
        else if (!matchesAny(file.path, allow, "allow")) reason = outside;
        if (reason === undefined) return [];
        return [
          {
            ruleId: "path-scope",
            verdict: "deny",
            asset: pathAsset(file),
            ...agentFields(agent),
            message: `${agentLabel(agent)} ${changeClause(file)} ${reason}.`,
            remedy: `If this agent should change ${file.path}, have the owner widen agents.${agent.key}.paths.`,
          },
        ];
      });
    });
  },
} satisfies Rule;
