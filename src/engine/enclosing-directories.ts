import { braceExpand } from "minimatch";
import { globSet, type GlobSide } from "./glob.js";

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

/** File patterns and the directories their files live in, compiled once: see `fileOrDirectoryMatcher`. */
export interface FileOrDirectoryMatcher {
  /** The first of the patterns that `path` matches, else the first directory of theirs that it is. */
  match(path: string): PathMatch | undefined;
}

/**
 * A matcher for `patterns` and `directories` (as `enclosingDirectories`
 * gives them), each list an indexed glob set built once: the lists are
 * tried in order, each by its first match in list order, exactly as testing
 * every pattern and then every directory in turn would.
 */
export function fileOrDirectoryMatcher(patterns: readonly string[], directories: readonly DirectoryPattern[], side: GlobSide): FileOrDirectoryMatcher {
  const files = globSet(patterns, side);
  const folders = globSet(
    directories.map((d) => d.directory),
    side,
  );
  return {
    match(path) {
      const pattern = patterns.length > 0 ? files.first(path) : undefined;
      if (pattern !== undefined) return { pattern, directory: false };
      const index = directories.length > 0 ? folders.firstIndex(path) : -1;
      return index === -1 ? undefined : { pattern: directories[index]!.of, directory: true };
    },
  };
}
