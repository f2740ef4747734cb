import { compareStrings } from "../compare.js";
import { agentFields, agentLabel } from "../describe.js";
import { normalizeChangedPath } from "../paths.js";
import type { Rule } from "../rule.js";
import { addedLines, countAddedLines } from "../secrets/added-lines.js";
import type { AgentActivity, Asset, ChangedFile, Finding } from "../types.js";

/** The step-up group unscannable-change findings share (`StepUpRequirement.name`); approvers: the agent's owner. */
export function unscannableStepUp(agentKey: string): string {
  return `unscannable-changes (${agentKey})`;
}

/** Blob SHAs of the empty file (SHA-1 and SHA-256 object formats): nothing in it to scan. */
const EMPTY_BLOBS: ReadonlySet<string> = new Set([
  "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
  "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
]);

/** Why a changed file's new content could not be scanned. */
export type UnscannableReason =
  /** Lines were added, and GitHub gave no diff (too large to show). */
  | { kind: "no-diff"; added: number }
  /** The diff shows fewer added lines than GitHub counts: it was cut off. */
  | { kind: "truncated"; added: number; shown: number }
  /** No diff and no line counts: a binary file, or a rename or copy whose content is not proven unchanged. */
  | { kind: "opaque" }
  /** The diff adds a Git LFS pointer: the content lives in LFS storage, outside the diff. */
  | { kind: "lfs-pointer" };

/** A Git LFS pointer's first line (the spec's version URL), and its object id line, which changes with the content. */
const LFS_VERSION = /^version https:\/\/git-lfs\.github\.com\/spec\/v\d+$/;
const LFS_OID = /^oid sha256:[0-9a-f]{64}$/;
const LFS_VERSION_START = "version https://git-lfs.github.com/spec/v";
const LFS_OID_START = "oid sha256:";

/**
 * Whether the content `file` brings could not be scanned, and why: no diff,
 * a diff cut off, or a diff that points at new Git LFS content instead of
 * showing it. Nothing to scan: a removed file, a diff that shows every added
 * line, a change that only removes lines, the empty file, and a file whose
 * blob is proven the same as before (`previousSha`, set by a shell that read
 * it). A rename or copy with `changes: 0` is not enough: GitHub lists a
 * binary file renamed with new content the same way as a pure rename.
 */
export function whyUnscannable(file: ChangedFile): UnscannableReason | undefined {
  if (file.status === "removed") return undefined;
  if (file.patch !== undefined) {
    const shown = countAddedLines(file.patch);
    if (shown < file.additions) return { kind: "truncated", added: file.additions, shown };
    return addsLfsPointer(file.patch) ? { kind: "lfs-pointer" } : undefined;
  }
  if (file.additions > 0) return { kind: "no-diff", added: file.additions };
  if (file.deletions > 0) return undefined;
  if (file.sha !== undefined && EMPTY_BLOBS.has(file.sha.toLowerCase())) return undefined;
  if (file.sha !== undefined && file.previousSha !== undefined && file.sha.toLowerCase() === file.previousSha.toLowerCase()) return undefined;
  return { kind: "opaque" };
}

/**
 * Content an assistant adds that the secret-content scan cannot read: a
 * binary file, a diff GitHub does not give or cuts off. Step-up by the
 * agent's owner by default, deny with `unscannable: deny`. Like
 * secret-content, every file of a change with an assistant in it counts, for
 * each assistant: who wrote which line is not known.
 */
export const unscannableChange = {
  id: "unscannable-change",
  describe:
    "An AI assistant's change holds content that could not be scanned for credentials (a binary file, a diff GitHub does not give or cuts off): step-up approval by the agent's owner, or deny with `unscannable: deny`.",
  evaluate({ agents, facts, policy }) {
    if (agents.length === 0) return [];
    const problems = facts.files
      .map((file) => ({ file, asset: assetOf(file), reason: whyUnscannable(file) }))
      .filter((p): p is { file: ChangedFile; asset: Asset; reason: UnscannableReason } => p.reason !== undefined)
      .sort((a, b) => compareStrings(a.asset.value, b.asset.value));
    const deny = policy.unscannable === "deny";
    return agents.flatMap((agent) => problems.map(({ asset, reason }) => toFinding(agent, asset, reason, deny)));
  },
} satisfies Rule;

function assetOf(file: ChangedFile): Asset {
  const asset: Asset = { kind: "path", value: normalizeChangedPath(file.path).path };
  if (file.previousPath !== undefined && file.previousPath !== file.path) asset.previousPath = normalizeChangedPath(file.previousPath).path;
  return asset;
}

function toFinding(agent: AgentActivity, asset: Asset, reason: UnscannableReason, deny: boolean): Finding {
  const message = `${agentLabel(agent)} ${what(asset, reason)}, so it could not be scanned for credentials; ${deny ? "the policy denies content an assistant adds unscanned." : "a human must review it."}`;
  const base = { ruleId: "unscannable-change", asset, ...agentFields(agent), message } as const;
  if (deny) return { ...base, verdict: "deny", remedy: "Remove the file from the change, or have a human make it: with unscannable: deny, content an assistant adds unscanned is never accepted." };
  // The step-up table of the check names who approves, as for governance files.
  return { ...base, verdict: "step_up", stepUp: unscannableStepUp(agent.key) };
}

function what(asset: Asset, reason: UnscannableReason): string {
  const file = asset.previousPath === undefined ? asset.value : `${asset.value} (from ${asset.previousPath})`;
  switch (reason.kind) {
    case "no-diff":
      return `added ${lines(reason.added)} to ${file}, but GitHub gives no diff for them (too large to show)`;
    case "truncated":
      return `added ${lines(reason.added)} to ${file}, but GitHub's diff shows only ${reason.shown} of them`;
    case "opaque":
      return `changed ${file}, but GitHub gives no diff of its content (a binary file, or a rename or copy not proven unchanged)`;
    case "lfs-pointer":
      return `changed ${file} to point at Git LFS content, which is stored outside the diff`;
  }
}

/** The diff adds a pointer's first line, or a new object id: new content in LFS storage. */
function addsLfsPointer(patch: string): boolean {
  // An added line is a piece of the patch: without either line's start anywhere in it, no added line is one.
  if (!patch.includes(LFS_VERSION_START) && !patch.includes(LFS_OID_START)) return false;
  for (const { line, text } of addedLines(patch)) {
    if ((line === 1 && LFS_VERSION.test(text)) || LFS_OID.test(text)) return true;
  }
  return false;
}

function lines(n: number): string {
  return n === 1 ? "1 line" : `${n} lines`;
}
