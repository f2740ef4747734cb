import type { ChangedFile, FileStatus } from "./types.js";

export interface NormalizedPath {
  /** The path every rule evaluates: `/` separators, no `.`/`..`/empty segments, no control characters. */
  path: string;
  /** Why the path as given is unsafe, when it is. */
  unsafe?: string;
}

const UNUSUAL_CHARACTER = /[\u0000-\u001f\u007f\\]/;

/**
 * Normalises a changed path for rule evaluation and says whether it was safe.
 *
 * GitHub never lists paths with `..`, `.` or empty segments, a leading `/`,
 * backslashes or control characters; one that does is forged or mangled, and
 * the `unsafe-path` rule denies it. Every other rule still evaluates the
 * normalised form, so `src/../.env` is also judged as `.env`. Backslashes are
 * read as separators (what a Windows checkout would do) and `..` is clamped at
 * the repository root, both erring towards a match on deny-side lists.
 */
export function normalizeChangedPath(p: string): NormalizedPath {
  // Almost every path GitHub lists is already normal: one scan says so.
  if (p.length > 0 && !UNUSUAL_CHARACTER.test(p) && !p.split("/").some((s) => s === "" || s === "." || s === "..")) return { path: p };
  const reasons: string[] = [];
  if (p.length === 0) reasons.push("it is empty");
  if (/[\u0000-\u001f\u007f]/.test(p)) reasons.push("it contains a control character");
  if (p.includes("\\")) reasons.push("it contains a backslash");
  if (p.startsWith("/")) reasons.push("it starts with '/'");
  const rawSegments = p.replace(/\\/g, "/").split("/");
  if (rawSegments.some((s) => s === "..")) reasons.push("it contains a '..' segment");
  if (rawSegments.some((s) => s === ".")) reasons.push("it contains a '.' segment");
  if (rawSegments.slice(p.startsWith("/") ? 1 : 0).some((s) => s === "") && p.length > 0) reasons.push("it contains an empty segment");

  const segments: string[] = [];
  for (const segment of p.replace(/[\u0000-\u001f\u007f]/g, "").replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const result: NormalizedPath = { path: segments.join("/") };
  if (reasons.length > 0) result.unsafe = reasons.join(", ");
  return result;
}

/** One side of a changed file, as every path rule sees it. */
export interface ChangedPath {
  /** Normalised path (see `normalizeChangedPath`). */
  path: string;
  /** The path exactly as the facts gave it. */
  raw: string;
  /** `current` is the path after the change; `previous` the old side of a rename or the source of a copy. */
  side: "current" | "previous";
  status: FileStatus;
  /** The normalised path on the other side of a rename or copy. */
  otherPath?: string;
  unsafe?: string;
}

/**
 * Both sides of every changed file, normalised. A rename or copy contributes
 * its old path too (renaming `.env` away, or copying it, touches a secret).
 */
export function collectChangedPaths(files: readonly ChangedFile[]): ChangedPath[] {
  const result: ChangedPath[] = [];
  for (const file of files) {
    const current = normalizeChangedPath(file.path);
    const previous = file.previousPath !== undefined ? normalizeChangedPath(file.previousPath) : undefined;
    result.push(sidePath(file.path, current, "current", file.status, previous?.path));
    if (previous && file.previousPath !== undefined) {
      result.push(sidePath(file.previousPath, previous, "previous", file.status, current.path));
    }
  }
  return result;
}

function sidePath(raw: string, n: NormalizedPath, side: ChangedPath["side"], status: FileStatus, otherPath?: string): ChangedPath {
  const cp: ChangedPath = { path: n.path, raw, side, status };
  if (otherPath !== undefined) cp.otherPath = otherPath;
  if (n.unsafe) cp.unsafe = n.unsafe;
  return cp;
}

/** Each changed path that `patternFor` names a pattern for, with that pattern (for the finding's explanation). */
export function filesMatching(
  files: readonly ChangedPath[],
  patternFor: (path: string) => string | undefined,
): { file: ChangedPath; pattern: string }[] {
  return files.flatMap((file) => {
    const pattern = patternFor(file.path);
    return pattern === undefined ? [] : [{ file, pattern }];
  });
}
