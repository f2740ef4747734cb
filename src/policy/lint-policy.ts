import { isExpired } from "../engine/expiry.js";
import { BUILTIN_SECRET_FILE_EXCEPTIONS, BUILTIN_SECRET_FILES } from "../engine/rules/secret-file.js";
import { findPath, type GlobSet, type Prospects } from "./glob-relations.js";
import type { KeyPathProblem } from "./place-issues.js";
import type { AgentPolicy, Policy } from "./schema.js";

/** The semantic checks `agent-policy validate` runs on a policy that parsed; each names a mistake the schema cannot see. */
export const POLICY_CHECKS = {
  "expired-agent": "an agent's `expires` has passed, so all of its activity is denied",
  "unreachable-step-up": "a `step_up` rule no agent can trigger: every path it names is outside every agent's scope",
  "unmatchable-glob": "a glob that can never match what it is compared with",
} as const;
export type PolicyCheck = keyof typeof POLICY_CHECKS;

export interface PolicyWarning extends KeyPathProblem {
  check: PolicyCheck;
}

/**
 * Semantic checks of a valid policy: things it says that cannot have the
 * effect its author meant. They are warnings — the policy is enforced as
 * written — and each is placed at the key it is about.
 */
export function lintPolicy(policy: Policy, options: { now: Date }): PolicyWarning[] {
  return [...expiredAgents(policy, options.now), ...unmatchableGlobs(policy), ...unreachableStepUps(policy)];
}

function expiredAgents(policy: Policy, now: Date): PolicyWarning[] {
  return Object.entries(policy.agents).flatMap(([key, agent]): PolicyWarning[] =>
    agent.expires !== undefined && isExpired(agent.expires, now)
      ? [
          {
            check: "expired-agent",
            keyPath: ["agents", key, "expires"],
            message: `agents.${key}.expires (${agent.expires}) has passed: all of ${key}'s activity is denied (agent-expired) until its owner extends it`,
          },
        ]
      : [],
  );
}

/** What a path must escape to be changeable by an agent: its own deny list, and every secret file. */
function deniedFor(policy: Policy, agent: AgentPolicy): GlobSet[] {
  return [
    { patterns: agent.paths.deny, side: "deny" },
    { patterns: policy.secret_files, side: "deny" },
    { patterns: BUILTIN_SECRET_FILES, side: "deny" },
    { patterns: BUILTIN_SECRET_FILE_EXCEPTIONS, side: "allow" },
  ];
}

/** Accept flags of `[...lead, deny, policySecrets, builtInSecrets, exceptions]`: the leading sets all match and nothing denies. */
function allowedBy(lead: number) {
  return (acc: readonly boolean[]) => {
    const [deny, secrets, builtIn, exception] = acc.slice(lead);
    return acc.slice(0, lead).every(Boolean) && !deny && !secrets && !(builtIn && !exception);
  };
}

/** Worth exploring while every leading set can still match and no deny list already takes every continuation. */
function canStillBeAllowed(lead: number) {
  return ({ live, universal }: Prospects) => {
    const [deny, secrets, builtIn] = universal.slice(lead);
    const exceptionLive = live[lead + 3];
    return live.slice(0, lead).every(Boolean) && !deny && !secrets && !(builtIn && !exceptionLive);
  };
}

/**
 * True when some path matches every set of `lead` and is not denied to the
 * agent. Quick answers come first: the lead sets have no path in common, or
 * one deny glob alone covers what they share (`src/auth/**` under `src/**`);
 * only otherwise is the whole deny side explored together.
 */
function allowedPathExists(lead: readonly GlobSet[], denied: readonly GlobSet[]): boolean {
  const n = lead.length;
  const all = ({ live }: Prospects) => live.slice(0, n).every(Boolean);
  if (findPath(lead, (acc) => acc.every(Boolean), all) === undefined) return false;
  const singles = [...denied[0]!.patterns, ...denied[1]!.patterns, ...secretGlobsWithoutExceptions()];
  for (const single of singles) {
    const sets = [...lead, { patterns: [single], side: "deny" as const }];
    if (findPath(sets, (acc) => acc.slice(0, n).every(Boolean) && !acc[n], (p) => all(p) && !p.universal[n]) === undefined) return false;
  }
  // Undecided within the bound counts as allowed: a warning must be certain.
  return findPath([...lead, ...denied], allowedBy(n), canStillBeAllowed(n)) !== undefined;
}

let secretGlobs: string[] | undefined;

/** The built-in secret globs no exception (`.env.example`, …) carves a path out of: each of them alone denies all it matches. */
function secretGlobsWithoutExceptions(): string[] {
  secretGlobs ??= BUILTIN_SECRET_FILES.filter(
    (secret) =>
      findPath([{ patterns: [secret], side: "deny" }, { patterns: BUILTIN_SECRET_FILE_EXCEPTIONS, side: "allow" }], ([s, e]) => Boolean(s && e), ({ live: [s, e] }) => Boolean(s && e)) === undefined,
  );
  return secretGlobs;
}

/** Workflow globs are matched against a workflow's file name and its path (see decide-workflow-run). */
const WORKFLOW_NAMES: GlobSet = { patterns: ["*", ".github/workflows/*", "dynamic/**"], side: "allow" };

function unmatchableGlobs(policy: Policy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  for (const [key, agent] of Object.entries(policy.agents)) {
    const denied = deniedFor(policy, agent);
    agent.paths.allow.forEach((glob, index) => {
      if (allowedPathExists([{ patterns: [glob], side: "allow" }], denied)) return;
      warnings.push({
        check: "unmatchable-glob",
        keyPath: ["agents", key, "paths", "allow", index],
        message: `agents.${key}.paths.allow[${index}] (${glob}) can never allow a change: every path it matches is in agents.${key}.paths.deny or is a secret file`,
      });
    });
    agent.workflows.allow.forEach((glob, index) => {
      if (findPath([{ patterns: [glob], side: "allow" }, WORKFLOW_NAMES], ([g, w]) => Boolean(g && w), ({ live: [g, w] }) => Boolean(g && w)) !== undefined) return;
      warnings.push({
        check: "unmatchable-glob",
        keyPath: ["agents", key, "workflows", "allow", index],
        message: `agents.${key}.workflows.allow[${index}] (${glob}) can never match a workflow: write a file name (ci.yml) or a path (.github/workflows/ci.yml)`,
      });
    });
  }
  return warnings;
}

function unreachableStepUps(policy: Policy): PolicyWarning[] {
  const agents = Object.values(policy.agents);
  return policy.step_up.flatMap((rule, index): PolicyWarning[] => {
    const when: GlobSet = { patterns: rule.when.paths, side: "deny" };
    const reachable = agents.some((agent) =>
      agent.paths.allow.some((glob) => allowedPathExists([when, { patterns: [glob], side: "allow" }], deniedFor(policy, agent))),
    );
    if (reachable) return [];
    const why = agents.length === 0 ? "the policy declares no agents" : "no agent may change a path it names (each is outside its paths.allow, in its paths.deny, or a secret file)";
    return [
      {
        check: "unreachable-step-up",
        keyPath: ["step_up", index, "when", "paths"],
        message: `step_up[${index}] ("${rule.name}") can never trigger: ${why}`,
      },
    ];
  });
}
