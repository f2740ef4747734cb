import { braceExpand } from "minimatch";
import { firstMatch, type GlobSide } from "./glob.js";

/** A directory pattern derived from a file pattern, and the pattern it came from. */
export interface DirectoryPattern {
  directory: string;
  of: string;
}

/**
 * The directories the files of `patterns` live in, as patterns:
 * `.github/workflows/**` gives `.github` and `.github/workflows`; the
 * credentials file `.aws/credentials` at any depth gives `.aws` at any depth;
 * `CODEOWNERS`, `AGENTS.md` at any depth or `*.pem` give none. A change whose
 * path IS such a directory — a file or a symlink put in its place — redirects
 * every file below it, so it is judged as a change to them. A directory named
 * by wildcards alone (`*`, `**`: any directory at all) is left out. Brace
 * alternatives are expanded first, so `{a,b}/x` gives `a` and `b`.
 */
export function enclosingDirectories(patterns: readonly string[]): DirectoryPattern[] {
  const seen = new Set<string>();
  const result: DirectoryPattern[] = [];
  for (const of of patterns) {
    for (const expanded of braceExpand(of)) {
      const segments = expanded.split("/");
      for (let k = 1; k < segments.length; k++) {
        if (/^[*?]+$/.test(segments[k - 1]!)) continue;
        const directory = segments.slice(0, k).join("/");
        if (seen.has(directory)) continue;
        seen.add(directory);
        result.push({ directory, of });
      }
    }
  }
  return result;
}

/** What a changed path matched: a pattern itself, or a directory its files live in. */
export interface PathMatch {
  pattern: string;
  directory: boolean;
}

/** The first of `patterns` that `path` matches, else the first directory of theirs that it is. */
export function matchFileOrDirectory(
  path: string,
  patterns: readonly string[],
  directories: readonly DirectoryPattern[],
  side: GlobSide,
): PathMatch | undefined {
  const pattern = firstMatch(path, patterns, side);
  if (pattern !== undefined) return { pattern, directory: false };
  for (const d of directories) {
    if (firstMatch(path, [d.directory], side) !== undefined) return { pattern: d.of, directory: true };
  }
  return undefined;
}
