import type { Policy } from "../policy/schema.js";
import type { ChangedPath } from "./paths.js";
import type { AgentActivity, ChangeFacts, Finding, RuleId } from "./types.js";

/** Everything a rule may look at. Rules are pure: same context, same findings. */
export interface RuleContext {
  policy: Policy;
  facts: ChangeFacts;
  /** The assistants in the change, sorted by key (see `identifyAgents`). */
  agents: readonly AgentActivity[];
  /** Both sides of every changed file, normalised (see `collectChangedPaths`). */
  files: readonly ChangedPath[];
  now: Date;
}

export interface Rule {
  id: RuleId;
  /** One line for docs and the UI: when the rule fires and what it decides. */
  describe: string;
  evaluate(context: RuleContext): Finding[];
}
