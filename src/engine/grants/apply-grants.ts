import type { Policy } from "../../policy/schema.js";
import type { ActiveGrant } from "./decide-grants.js";

/**
 * The policy as the grants in force widen it, for the one pull request they
 * were given on. Only allow lists grow: `paths.allow`, `branches` (when the
 * policy limits them at all), `workflows.allow` and `environments.allow`.
 * Nothing else changes — `paths.deny`, secret files, protected branches,
 * step-ups, `environments.step_up` (which still wins over `allow`),
 * suspension, expiry and matching — so every hard rule, step-up and the
 * agents' identities are judged exactly as without the grants.
 */
export function applyGrants(policy: Policy, grants: readonly ActiveGrant[]): Policy {
  if (grants.length === 0) return policy;
  const agents = { ...policy.agents };
  for (const grant of grants) {
    const agent = Object.hasOwn(agents, grant.agent) ? agents[grant.agent] : undefined;
    if (!agent) continue;
    const { paths, branches, workflows, environments } = grant.scope;
    agents[grant.agent] = {
      ...agent,
      paths: { ...agent.paths, allow: union(agent.paths.allow, paths) },
      ...(agent.branches !== undefined ? { branches: union(agent.branches, branches) } : {}),
      workflows: { ...agent.workflows, allow: union(agent.workflows.allow, workflows) },
      environments: { ...agent.environments, allow: union(agent.environments.allow, environments) },
    };
  }
  return { ...policy, agents };
}

function union(list: readonly string[], extra: readonly string[]): string[] {
  return [...list, ...extra.filter((x) => !list.includes(x))];
}
