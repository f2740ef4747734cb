import { decisionFrom } from "./decision.js";
import type { Policy } from "../policy/schema.js";
import { grantFindings } from "./grant-findings.js";
import { identifyAgents } from "./identify-agents.js";
import { mergeByAgent } from "./rules/merge-by-agent.js";
import { type Decision, type EvaluationOptions, type PullRequestFacts } from "./types.js";

/**
 * Did an assistant merge this pull request (or enable its auto-merge)?
 *
 * `facts.actors` are the merger or the auto-merge enabler only (roles
 * `merged_by`, `auto_merge_enabler`): the change itself was judged when the
 * pull request was opened and pushed, so files, commits and the head branch
 * are not judged again. Findings: `merge-by-agent` plus the grant rules
 * (unregistered, expired, suspended) for the same assistant. `mode` is
 * reported, not applied: an incident is raised in audit mode too, because the
 * merge has already happened.
 */
export function decideMerge(policy: Policy, facts: PullRequestFacts, options: EvaluationOptions): Decision {
  const agents = identifyAgents(policy, facts);
  return decisionFrom(policy, agents, [...grantFindings(policy, agents, options.now), ...mergeByAgent.evaluate({ agents, facts })], options);
}
