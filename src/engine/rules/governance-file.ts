import { agentFields, agentLabel, changeClause, pathAsset } from "../describe.js";
import { enclosingDirectories, fileOrDirectoryMatcher, type FileOrDirectoryMatcher } from "../enclosing-directories.js";
import { firstMatch } from "../glob.js";
import { filesMatching } from "../paths.js";
import type { Policy } from "../../policy/schema.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * The name of one agent's governance step-up (`StepUpRequirement.name`): each
 * agent owes its own, to its own owner, so no agent can bring another agent's
 * owner in (with a trailer, say) to approve its change. Policy `step_up` names
 * are identifiers, so they never collide with it.
 */
export function governanceStepUp(agentKey: string): string {
  return `governance-files (${agentKey})`;
}

/**
 * Files that steer CI, code ownership, dependency automation or the assistants
 * themselves (instructions, rules, hooks, settings, MCP servers, editor tasks
 * that run on opening a folder). Matched case-insensitively (deny side), and
 * so are the directories they live in (see `enclosingDirectories`);
 * `policy.governance_files` adds to them.
 */
export const BUILTIN_GOVERNANCE_FILES: readonly string[] = [
  ".github/workflows/**",
  ".github/actions/**",
  "CODEOWNERS",
  ".github/CODEOWNERS",
  "docs/CODEOWNERS",
  ".github/dependabot.yml",
  ".github/dependabot.yaml",
  ".github/settings.yml",
  ".gitmodules",
  ".devcontainer/**",
  ".pre-commit-config.yaml",
  ".husky/**",
  "**/AGENTS.md",
  "**/CLAUDE.md",
  "**/GEMINI.md",
  ".claude/**",
  ".mcp.json",
  ".vscode/mcp.json",
  ".cursor/**",
  ".cursorrules",
  ".windsurfrules",
  ".windsurf/**",
  ".clinerules",
  ".clinerules/**",
  ".kiro/**",
  ".amazonq/**",
  ".gemini/**",
  ".github/copilot-instructions.md",
  ".github/instructions/**",
  ".github/prompts/**",
  ".github/chatmodes/**",
  ".github/agents/**",
  ".github/hooks/**",
  ".github/copilot-setup-steps.yml",
  ".github/copilot-setup-steps.yaml",
  ".vscode/settings.json",
  ".vscode/tasks.json",
  ".vscode/launch.json",
  ".devcontainer.json",
  "**/AGENT.md",
  "**/CONVENTIONS.md",
  "**/.aider.conf.yml",
  "opencode.json",
  "opencode.jsonc",
  ".opencode/**",
  ".codex/**",
  ".junie/**",
  ".roo/**",
  ".roorules",
  ".continue/**",
  ".goosehints",
];

const BUILTIN_GOVERNANCE_DIRECTORIES = enclosingDirectories(BUILTIN_GOVERNANCE_FILES);

// Compiled once per policy list (the same array for every event under a policy, which is cached by blob SHA).
const matchers = new WeakMap<readonly string[], FileOrDirectoryMatcher>();
const ruledPaths = new WeakMap<Policy["step_up"], readonly string[]>();

function governanceMatcher(extra: readonly string[]): FileOrDirectoryMatcher {
  let matcher = matchers.get(extra);
  if (!matcher) {
    matcher = fileOrDirectoryMatcher([...BUILTIN_GOVERNANCE_FILES, ...extra], [...BUILTIN_GOVERNANCE_DIRECTORIES, ...enclosingDirectories(extra)], "deny");
    matchers.set(extra, matcher);
  }
  return matcher;
}

/** Every path glob of the policy's `step_up` rules, in rule order. */
function stepUpPaths(rules: Policy["step_up"]): readonly string[] {
  let paths = ruledPaths.get(rules);
  if (!paths) {
    paths = rules.flatMap((rule) => rule.when.paths);
    ruledPaths.set(rules, paths);
  }
  return paths;
}

/**
 * One finding per agent and governance file (or directory where governance
 * files live), in that agent's own step-up (approvers: its owner, see
 * `collectStepUps`); an unregistered agent has none and is denied anyway. A
 * file that a policy `step_up` rule covers is left to that rule: the approvers
 * a maintainer named replace the owner's approval.
 */
export const governanceFile = {
  id: "governance-file",
  describe:
    "An AI assistant changes a governance file (workflows, CODEOWNERS, agent instructions, MCP config, …): step-up approval by that agent's owner, unless a `step_up` rule covers the file.",
  evaluate({ agents, files, policy }) {
    if (agents.length === 0) return [];
    const ruled = stepUpPaths(policy.step_up);
    const matcher = governanceMatcher(policy.governance_files);
    const hits = filesMatching(files, (path) => {
      if (firstMatch(path, ruled, "deny") !== undefined) return undefined;
      const match = matcher.match(path);
      if (!match) return undefined;
      return match.directory ? `is where governance files live (${match.pattern})` : `is a governance file (matches ${match.pattern})`;
    });
    return agents.flatMap((agent) =>
      hits.map(
        ({ file, pattern: what }): Finding => ({
          ruleId: "governance-file",
          verdict: "step_up",
          asset: pathAsset(file),
          ...agentFields(agent),
          stepUp: governanceStepUp(agent.key),
          message:
            `${agentLabel(agent)} ${changeClause(file)} ${what} and needs ` +
            (agent.owner ? `approval from its owner ${agent.owner}.` : "approval, but the agent has no owner to give it."),
        }),
      ),
    );
  },
} satisfies Rule;
