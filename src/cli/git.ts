import { execFile } from "node:child_process";

/** A local fact (git, a file) could not be read or did not parse: nothing can be judged, so the CLI stops (exit 3). */
export class LocalFactsError extends Error {
  override readonly name = "LocalFactsError";
}

/** Runs git in one repository; every call sees the same hardened configuration (see `gitIn`). */
export interface Git {
  /** The repository's top-level directory. */
  readonly root: string;
  text(args: readonly string[]): Promise<string>;
  bytes(args: readonly string[]): Promise<Buffer>;
  /** Like `text`, but a non-zero exit gives undefined instead of an error (for probes such as "does this ref exist"). */
  probe(args: readonly string[]): Promise<string | undefined>;
}

/** Diffs and logs of a large change can be big; past this, git's output is refused rather than cut. */
const MAX_OUTPUT = 512 * 1024 * 1024;

/**
 * Settings that would otherwise let the repository, or the user's git
 * configuration, change what git prints: the mailmap could rename an
 * assistant's commit identity into a person's, replace refs could swap a
 * commit for another, an external diff driver or textconv could rewrite or
 * hide added lines, `diff.relative` could drop files outside a folder and
 * `diff.submodule=log` would change the shape of the patch.
 */
const HARDENED_CONFIG = [
  "core.quotePath=false",
  "core.fsmonitor=false",
  "log.mailmap=false",
  "log.showSignature=false",
  "diff.relative=false",
  "diff.submodule=short",
  "diff.noprefix=false",
  "diff.mnemonicPrefix=false",
  "color.ui=false",
].flatMap((setting) => ["-c", setting]);

function run(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...HARDENED_CONFIG, ...args],
      {
        cwd,
        encoding: "buffer",
        maxBuffer: MAX_OUTPUT,
        env: { ...process.env, GIT_NO_REPLACE_OBJECTS: "1", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.toString("utf8").trim().split("\n")[0] || error.message;
          reject(new LocalFactsError(`git ${args.filter((a) => !a.startsWith("--format")).join(" ")} failed: ${detail}`, { cause: error }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** A Git for the repository that contains `cwd`; fails when `cwd` is not inside a work tree. */
export async function gitIn(cwd: string): Promise<Git> {
  let root: string;
  try {
    root = (await run(cwd, ["rev-parse", "--show-toplevel"])).toString("utf8").trim();
  } catch (cause) {
    throw new LocalFactsError(`${cwd} is not inside a git work tree`, { cause });
  }
  return {
    root,
    text: async (args) => (await run(root, args)).toString("utf8"),
    bytes: (args) => run(root, args),
    probe: async (args) => {
      try {
        return (await run(root, args)).toString("utf8");
      } catch {
        return undefined;
      }
    },
  };
}
