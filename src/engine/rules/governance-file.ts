import { agentFields, agentLabel, changeClause, pathAsset } from "../describe.js";
import { firstMatch } from "../glob.js";
import { filesMatching } from "../paths.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/** The step-up group name governance findings share (`StepUpRequirement.name`). */
export const GOVERNANCE_STEP_UP = "governance-files";

/**
 * Files that steer CI, code ownership, dependency automation or the assistants
 * themselves (instructions, MCP servers). Matched case-insensitively (deny
 * side); `policy.governance_files` adds to them.
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
];

/** Approvers are the agent's owner (see `collectStepUps`); an unregistered agent has none and is denied anyway. */
export const governanceFile = {
  id: "governance-file",
  describe: "An AI assistant changes a governance file (workflows, CODEOWNERS, agent instructions, MCP config, …): step-up approval by the agent's owner.",
  evaluate({ agents, files, policy }) {
    if (agents.length === 0) return [];
    const patterns = [...BUILTIN_GOVERNANCE_FILES, ...policy.governance_files];
    const hits = filesMatching(files, (path) => firstMatch(path, patterns, "deny"));
    return agents.flatMap((agent) =>
      hits.map(
        ({ file, pattern }): Finding => ({
          ruleId: "governance-file",
          verdict: "step_up",
          asset: pathAsset(file),
          ...agentFields(agent),
          stepUp: GOVERNANCE_STEP_UP,
          message:
            `${agentLabel(agent)} ${changeClause(file)} is a governance file (matches ${pattern}) and needs ` +
            (agent.owner ? `approval from ${agent.owner}.` : "approval, but the agent has no owner to give it."),
        }),
      ),
    );
  },
} satisfies Rule;
