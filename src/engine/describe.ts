import type { ChangedPath } from "./paths.js";
import type { AgentActivity, Asset } from "./types.js";

/** `devin (owner @acme/platform)`, or `Devin (devin, unregistered, no owner)` for an undeclared assistant. */
export function agentLabel(agent: AgentActivity): string {
  if (agent.declared) return `${agent.key} (owner ${agent.owner ?? "unknown"})`;
  return agent.name === agent.key ? `${agent.key} (unregistered, no owner)` : `${agent.name} (${agent.key}, unregistered, no owner)`;
}

const VERB: Record<ChangedPath["status"], string> = {
  added: "added",
  modified: "changed",
  removed: "deleted",
  renamed: "renamed",
  copied: "copied",
  changed: "changed",
  unchanged: "touched",
};

/**
 * The start of a finding sentence about one side of a changed file, ending so
 * that a predicate follows: `changed src/a.ts, which` or
 * `renamed .env to notes.txt, and .env` (for renames the offending side is named).
 */
export function changeClause(file: ChangedPath): string {
  if (file.otherPath === undefined) return `${VERB[file.status]} ${file.path}, which`;
  const [from, to] = file.side === "previous" ? [file.path, file.otherPath] : [file.otherPath, file.path];
  return `${VERB[file.status]} ${from} to ${to}, and ${file.path}`;
}

/** A comma-separated list of globs, shortened for one-line messages. */
export function listPatterns(patterns: readonly string[], max = 6): string {
  const shown = patterns.slice(0, max).join(", ");
  return patterns.length > max ? `${shown}, … (${patterns.length - max} more)` : shown;
}

export function pathAsset(file: ChangedPath): Asset {
  const asset: Asset = { kind: "path", value: file.path };
  if (file.otherPath !== undefined) asset.previousPath = file.otherPath;
  return asset;
}

/** Fields every agent finding carries. */
export function agentFields(agent: AgentActivity): { agent: string; owner?: string } {
  return agent.owner !== undefined ? { agent: agent.key, owner: agent.owner } : { agent: agent.key };
}
