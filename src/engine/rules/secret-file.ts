import { agentFields, agentLabel, changeClause, pathAsset } from "../describe.js";
import { enclosingDirectories, fileOrDirectoryMatcher, type FileOrDirectoryMatcher } from "../enclosing-directories.js";
import { firstMatch } from "../glob.js";
import { filesMatching } from "../paths.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/**
 * Files that hold credentials. Matched case-insensitively (deny side), and so
 * are the directories they live in (a symlink in place of `.aws` redirects
 * `.aws/credentials`); `policy.secret_files` adds to them.
 */
export const BUILTIN_SECRET_FILES: readonly string[] = [
  ".env",
  ".env.*",
  "**/.env",
  "**/.env.*",
  "**/*.pem",
  "**/*.key",
  "**/*.p12",
  "**/*.pfx",
  "**/id_rsa*",
  "**/id_dsa*",
  "**/id_ecdsa*",
  "**/id_ed25519*",
  "**/*.tfstate*",
  "**/.npmrc",
  "**/.pypirc",
  "**/.netrc",
  "**/.git-credentials",
  "**/.pgpass",
  "**/.htpasswd",
  "**/.aws/credentials",
  "**/.docker/config.json",
  "**/*.keystore",
  "**/*.jks",
  "**/*.kdbx",
];

/**
 * Placeholder files that the built-in list would otherwise catch. They are
 * exempt from the built-in list only (a path the policy names in
 * `secret_files` stays secret) and match case as stored (allow side), so
 * `.ENV.EXAMPLE` is still a secret.
 */
export const BUILTIN_SECRET_FILE_EXCEPTIONS: readonly string[] = ["**/.env.example", "**/.env.sample", "**/.env.template"];

const BUILTIN_SECRET_DIRECTORIES = enclosingDirectories(BUILTIN_SECRET_FILES);

// The directories of a policy's secret files and the built-in ones, compiled once per list (the same array
// for every event under a policy, which is cached by blob SHA).
const directoryMatchers = new WeakMap<readonly string[], FileOrDirectoryMatcher>();

function directoryMatcher(extra: readonly string[]): FileOrDirectoryMatcher {
  let matcher = directoryMatchers.get(extra);
  if (!matcher) {
    matcher = fileOrDirectoryMatcher([], [...enclosingDirectories(extra), ...BUILTIN_SECRET_DIRECTORIES], "deny");
    directoryMatchers.set(extra, matcher);
  }
  return matcher;
}

export const secretFile = {
  id: "secret-file",
  describe: "An AI assistant adds, edits, deletes, renames or copies a secret file (either side of a rename): deny.",
  evaluate({ agents, files, policy }) {
    if (agents.length === 0) return [];
    const directories = directoryMatcher(policy.secret_files);
    const hits = filesMatching(files, (path) => {
      const file =
        firstMatch(path, policy.secret_files, "deny") ??
        (firstMatch(path, BUILTIN_SECRET_FILE_EXCEPTIONS, "allow") === undefined ? firstMatch(path, BUILTIN_SECRET_FILES, "deny") : undefined);
      if (file !== undefined) return `is a secret file (matches ${file})`;
      const directory = directories.match(path);
      return directory ? `is where secret files live (${directory.pattern})` : undefined;
    });
    return agents.flatMap((agent) =>
      hits.map(
        ({ file, pattern: what }): Finding => ({
          ruleId: "secret-file",
          verdict: "deny",
          asset: pathAsset(file),
          ...agentFields(agent),
          message: `${agentLabel(agent)} ${changeClause(file)} ${what}.`,
          remedy: "Secret files must be changed by a human; keep credentials out of the repository.",
        }),
      ),
    );
  },
} satisfies Rule;
