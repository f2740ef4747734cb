import { agentFields, agentLabel, changeClause, pathAsset } from "../describe.js";
import type { Rule } from "../rule.js";
import { stepUpMatches } from "../step-up-matches.js";
import type { Finding } from "../types.js";

/** `when.paths` match case-insensitively (deny side): a trigger must not be dodged by case. */
export const stepUp = {
  id: "step-up",
  describe: "An AI assistant changes a path named by a `step_up` rule: blocked until that rule's approvers approve.",
  evaluate({ agents, files, policy }) {
    if (agents.length === 0) return [];
    const matches = stepUpMatches(policy.step_up, files);
    return policy.step_up.flatMap((rule, index) => {
      const hits = matches[index]!;
      const approvers = [...rule.approvers.users, ...rule.approvers.teams].map((a) => `@${a}`).join(", ");
      return agents.flatMap((agent) =>
        hits.map(
          ({ file, pattern }): Finding => ({
            ruleId: "step-up",
            verdict: "step_up",
            asset: pathAsset(file),
            ...agentFields(agent),
            stepUp: rule.name,
            message:
              `${agentLabel(agent)} ${changeClause(file)} falls under step-up "${rule.name}" (matches ${pattern}) ` +
              `and needs ${rule.count} approval${rule.count === 1 ? "" : "s"} from ${approvers}.`,
          }),
        ),
      );
    });
  },
} satisfies Rule;
