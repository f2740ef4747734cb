import { readFile } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { YAML_LIMITS } from "../policy/read-policy-yaml.js";
import { mergeBaseline } from "../policy/merge-baseline.js";
import { parsePolicy, type ParseResult } from "../policy/parse-policy.js";
import { placeProblems } from "../policy/place-issues.js";
import { builtInPolicy, POLICY_FILE } from "../policy/schema.js";
import type { PolicySource } from "../report/check-run-output.js";
import type { CliIo } from "./command.js";
import { LocalFactsError, type Git } from "./git.js";
import { inertLine } from "./terminal.js";

/** The policy `check` judges with, where it came from, and its text (to point findings at its lines). */
export interface LocalPolicy {
  source: PolicySource;
  text?: string;
  result: ParseResult;
  /** Repository-relative paths the policy was read from, for the self-edit rule. */
  paths: string[];
}

/**
 * `--policy FILE` as it is on disk; otherwise `.agent-policy.yml` as it is
 * at the base commit — as the app reads the default branch's, never the
 * change's own (a change cannot loosen the policy that judges it). No policy
 * there: the built-in audit policy, as in the app. A policy that is a
 * symbolic link or a directory, or too large, does not validate.
 */
export async function readLocalPolicy(git: Git, input: { file?: string; cwd: string; baseSha: string; baseName: string }): Promise<LocalPolicy> {
  if (input.file !== undefined) {
    const absolute = resolve(input.cwd, input.file);
    let text: string;
    try {
      text = await readFile(absolute, "utf8");
    } catch (cause) {
      throw new LocalFactsError(`cannot read the policy ${input.file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
    }
    const inRepo = relative(git.root, absolute);
    const paths = inRepo.startsWith("..") || inRepo === "" ? [POLICY_FILE] : [POLICY_FILE, inRepo.split(sep).join("/")];
    return { source: { source: "repository", path: input.file, ref: "the working tree" }, text, result: parsePolicy(text, { path: input.file }), paths };
  }

  const listed = await git.text(["ls-tree", "-z", input.baseSha, "--", POLICY_FILE]);
  const paths = [POLICY_FILE];
  const base = { path: POLICY_FILE, ref: input.baseName };
  if (listed === "") return { source: { source: "built-in", ...base }, result: { ok: true, policy: builtInPolicy(), warnings: [] }, paths };
  const match = /^(\d{6}) (\w+) ([0-9a-f]+)\t/.exec(listed);
  if (!match) throw new LocalFactsError(`could not read ${POLICY_FILE} at ${input.baseName}: unexpected output from git ls-tree`);
  const [, mode, , sha] = match as unknown as [string, string, string, string];
  const source: PolicySource = { source: "repository", ...base, sha };
  if (mode !== "100644" && mode !== "100755") {
    const what = mode === "120000" ? "a symbolic link" : "not a regular file";
    return { source, result: invalid(`${POLICY_FILE} at ${input.baseName} is ${what}; the policy must be a regular file`), paths };
  }
  const size = Number((await git.text(["cat-file", "-s", sha])).trim());
  if (size > YAML_LIMITS.maxBytes) return { source, result: invalid(`${POLICY_FILE} is ${size} bytes; the limit is ${YAML_LIMITS.maxBytes} bytes`), paths };
  const text = (await git.bytes(["cat-file", "blob", sha])).toString("utf8");
  return { source, text, result: parsePolicy(text, { path: POLICY_FILE }), paths };
}

/**
 * The policy merged onto the org baseline in `file`, as the app merges the
 * `.github` repository's: a baseline that cannot be read or does not validate
 * stops the check (the app fails closed the same way). Keys of the
 * repository policy that would widen the baseline are printed as warnings.
 */
export async function underBaseline(io: CliIo, own: LocalPolicy, file: string): Promise<LocalPolicy> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (cause) {
    throw new LocalFactsError(`cannot read the baseline ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  const baseline = parsePolicy(text, { path: file });
  if (!baseline.ok) return { ...own, result: baseline };
  if (!own.result.ok) return own;
  const repo = own.source.source === "built-in" ? undefined : own.result.policy;
  const merged = mergeBaseline(baseline.policy, repo);
  const widenings = own.text !== undefined ? placeProblems(own.text, own.source.path, merged.widenings).map(({ written: _w, ...issue }) => issue) : [];
  for (const w of widenings) io.stderr(`agent-policy check: warning: ${inertLine(`${w.path}:${w.line}:${w.column}: ${w.message}`)}\n`);
  return {
    ...own,
    source: { ...own.source, baseline: { repository: file, path: file, ref: "the working tree" }, ...(widenings.length > 0 ? { widenings } : {}) },
    result: { ok: true, policy: merged.policy, warnings: own.result.warnings },
  };
}

function invalid(message: string): ParseResult {
  return { ok: false, issues: [{ path: POLICY_FILE, keyPath: [], line: 1, column: 1, message }] };
}
