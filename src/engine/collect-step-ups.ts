import type { Policy } from "../policy/schema.js";
import { compareStrings } from "./compare.js";
import { ownerApprovers } from "./owner.js";
import type { Finding, RuleId, StepUpRequirement } from "./types.js";

/** Built-in step-ups the owner of the agent concerned approves. */
const OWNER_APPROVED: ReadonlySet<RuleId> = new Set<RuleId>(["governance-file", "unscannable-change"]);

interface Group {
  users: Set<string>;
  teams: Set<string>;
  count: number;
  paths: Set<string>;
}

/**
 * One requirement per step-up group found among the findings: a policy
 * `step_up` rule (its approvers and count), or one agent's built-in step-up
 * for governance files or unscannable content (approvers: that agent's owner
 * only, count 1; see `governanceStepUp`, `unscannableStepUp`). Approvers come
 * from the policy alone, never from the change. Paths are the union of matched
 * paths, including those that are also denied (the deny decides the verdict;
 * the requirement still documents what needs review). A policy rule named
 * after a built-in kind is merged into each agent's group of that kind:
 * approvers are united and the larger count wins. Everything is sorted.
 */
export function collectStepUps(policy: Policy, findings: readonly Finding[]): StepUpRequirement[] {
  const groups = new Map<string, Group>();
  const groupFor = (name: string): Group => {
    const existing = groups.get(name);
    if (existing) return existing;
    const group: Group = { users: new Set(), teams: new Set(), count: 1, paths: new Set() };
    // A rule named after a built-in group (`unscannable-changes`) adds its approvers and count to every agent's own group of that kind.
    const kind = name.replace(/ \([^)]*\)$/, "");
    for (const rule of policy.step_up.filter((r) => r.name === name || r.name === kind)) {
      rule.approvers.users.forEach((u) => group.users.add(u));
      rule.approvers.teams.forEach((t) => group.teams.add(t));
      group.count = Math.max(group.count, rule.count);
    }
    groups.set(name, group);
    return group;
  };
  for (const finding of findings) {
    if (finding.verdict !== "step_up" || finding.stepUp === undefined) continue;
    const group = groupFor(finding.stepUp);
    if (OWNER_APPROVED.has(finding.ruleId)) {
      const { users, teams } = ownerApprovers(finding.owner);
      users.forEach((u) => group.users.add(u));
      teams.forEach((t) => group.teams.add(t));
    }
    if (finding.asset.kind === "path") group.paths.add(finding.asset.value);
  }
  const sorted = (set: Set<string>) => [...set].sort(compareStrings);
  return [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, g]) => ({ name, users: sorted(g.users), teams: sorted(g.teams), count: g.count, paths: sorted(g.paths) }));
}
