import { agentPathScopes } from "../agent-path-scopes.js";
import { agentLabel, changeClause, listPatterns, pathAsset } from "../describe.js";
import type { Rule } from "../rule.js";
import type { Asset, Finding } from "../types.js";

/**
 * Declared agents only (an undeclared one is already denied as unregistered).
 * `allow` matches case as GitHub stores it; `deny` case-insensitively; an empty
 * `allow` allows nothing. Both sides of a rename must be in scope.
 *
 * Each path is looked up once for all the agents of the change (see
 * `AgentPathScopes`), and what a finding says about an agent or a path is
 * built once per agent or path: a change by many agents gives a finding per
 * agent and path, so the work per finding is kept to assembling it.
 */
export const pathScope = {
  id: "path-scope",
  describe: "A declared AI assistant changes a path outside its `paths.allow` or inside its `paths.deny`: deny.",
  evaluate({ agents, files, policy }) {
    const scoped = agents.filter((agent) => (agent.declared ? policy.agents[agent.key] : undefined) !== undefined);
    if (scoped.length === 0 || files.length === 0) return [];
    const scopes = agentPathScopes(policy.agents);
    const judge = scopes.judge(scoped.map((agent) => agent.key));
    const standings = files.map((file) => judge(file.path));
    // Per path, built the first time a finding needs them and shared by every agent's finding on it.
    const assets: (Asset | undefined)[] = new Array(files.length);
    const clauses: (string | undefined)[] = new Array(files.length);
    const remedies: (string | undefined)[] = new Array(files.length);
    const findings: Finding[] = [];
    scoped.forEach((agent, slot) => {
      const { owner } = agent;
      const label = `${agentLabel(agent)} `;
      const outside = scopes.allowsNoPath(agent.key)
        ? " is not allowed: its policy allows no paths (paths.allow is empty)."
        : ` is outside its allowed paths (${listPatterns(policy.agents[agent.key]!.paths.allow)}).`;
      const remedyEnd = `${agent.key}.paths.`;
      const deniedReasons = new Map<string, string>();
      files.forEach((file, f) => {
        const standing = standings[f]![slot]!;
        if (standing === true) return;
        let reason = outside;
        if (typeof standing === "string") {
          reason = deniedReasons.get(standing) ?? ` matches its denied paths (${standing}).`;
          deniedReasons.set(standing, reason);
        }
        const asset = (assets[f] ??= pathAsset(file));
        const message = label + (clauses[f] ??= changeClause(file)) + reason;
        const remedy = (remedies[f] ??= `If this agent should change ${file.path}, have the owner widen agents.`) + remedyEnd;
        // The fields of agentFields(agent), written out: one object shape per finding, not a spread.
        findings.push(
          owner !== undefined
            ? { ruleId: "path-scope", verdict: "deny", asset, agent: agent.key, owner, message, remedy }
            : { ruleId: "path-scope", verdict: "deny", asset, agent: agent.key, message, remedy },
        );
      });
    });
    return findings;
  },
} satisfies Rule;
