import { parsePolicy, type ParseResult, type PolicyIssue } from "../policy/parse-policy.js";
import { builtInPolicy, POLICY_FILE } from "../policy/schema.js";
import type { BaselineSource } from "../report/check-run-output.js";
import { applyBaseline, BASELINE_REPOSITORY, loadBaseline } from "./load-baseline.js";
import { step, statusOf } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** Where the policy governing an event came from, and what parsing it gave. */
export interface LoadedPolicy {
  source: "repository" | "built-in";
  /** Repository-relative path the policy is read from. */
  path: string;
  /** The branch it was read from: always the repository's default branch. */
  ref: string;
  /** Blob SHA of the policy file; absent for the built-in policy. */
  sha?: string;
  /** The org baseline `result` was merged onto, when the organisation has one. */
  baseline?: BaselineSource;
  /** Keys of the repository's policy that would widen the baseline, placed in its file. */
  widenings?: PolicyIssue[];
  result: ParseResult;
}

/** The largest policy file read (README: a file over 256 KiB is an error); the proposed version of a PR is held to it too. */
export const MAX_POLICY_BYTES = 256 * 1024;

/**
 * How long "no org baseline" (a 404: no `.github` repository, no file in it,
 * or the app not installed on it) is believed without asking again. A push
 * that may change the baseline forgets it at once (see `forgetBaseline`); the
 * bound covers what sends the app no push: the app installed on `.github`
 * later, a repository created or made visible to it.
 */
export const ABSENT_TTL_MS = 5 * 60_000;

/** The last answer for one repository's policy: the validator for the conditional request, and what it parsed to. */
interface CachedHead {
  etag: string;
  sha: string;
  result: ParseResult;
  /** The file's text, kept so that problems found after parsing (a widened baseline) can be placed at their lines. */
  text?: string;
}

/**
 * Caches what the policy loader learnt, so a warm event costs one conditional
 * request (answered 304, which GitHub does not count against the rate limit)
 * and no parsing: the parse result is keyed by the blob SHA, which names the
 * exact content.
 */
export class PolicyCache {
  private readonly heads = new Map<string, CachedHead>();
  private readonly parsed = new Map<string, ParseResult>();
  private readonly texts = new Map<string, string>();
  private readonly absent = new Map<string, number>();

  private readonly maxEntries: number;
  private readonly now: () => number;
  /** How long a 404 is believed (see `rememberAbsent`); 0 asks every time. */
  readonly absentTtlMs: number;

  constructor(options: { maxEntries?: number; now?: () => number; absentTtlMs?: number } = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
    this.absentTtlMs = options.absentTtlMs ?? ABSENT_TTL_MS;
  }

  /** True while a 404 for `key` is remembered (see `rememberAbsent`). */
  isAbsent(key: string): boolean {
    const until = this.absent.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.absent.delete(key);
    return false;
  }

  /** Remembers for `absentTtlMs` that `key` answered 404, so it is not asked again meanwhile. */
  rememberAbsent(key: string): void {
    this.heads.delete(key);
    if (this.absentTtlMs > 0) bounded(this.absent, this.maxEntries).set(key, this.now() + this.absentTtlMs);
  }

  head(key: string): CachedHead | undefined {
    return this.heads.get(key);
  }

  parsedBySha(sha: string): ParseResult | undefined {
    return this.parsed.get(sha);
  }

  textBySha(sha: string): string | undefined {
    return this.texts.get(sha);
  }

  remember(key: string, head: CachedHead): void {
    bounded(this.heads, this.maxEntries).set(key, { etag: head.etag, sha: head.sha, result: head.result });
    bounded(this.parsed, this.maxEntries).set(head.sha, head.result);
    if (head.text !== undefined) bounded(this.texts, this.maxEntries).set(head.sha, head.text);
  }

  forget(key: string): void {
    this.heads.delete(key);
    this.absent.delete(key);
  }
}

function bounded<K, V>(map: Map<K, V>, max: number): Map<K, V> {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  return map;
}

/**
 * Loads `.agent-policy.yml` from the repository's default branch — never from a
 * PR's head or base, so a PR cannot weaken (or retarget itself to) the policy
 * it is judged by — and merges it onto the org baseline (`.agent-policy.yml`
 * of the owner's `.github` repository) when there is one. A missing file gives
 * the built-in audit policy (or the baseline alone); any other failure, of
 * either file, is a `GitHubFactsError` (the caller fails closed).
 */
export async function loadPolicy(
  octokit: Octokit,
  repo: RepoRef & { defaultBranch: string },
  cache: PolicyCache,
): Promise<LoadedPolicy> {
  // The `.github` repository's own file is the baseline: it governs that repository as it is.
  const isBaseline = repo.repo.toLowerCase() === BASELINE_REPOSITORY;
  // Both files are read at once; a failure of the repository's own file is the one reported first.
  const [ownRead, baselineRead] = await Promise.allSettled([loadOwnPolicy(octokit, repo, cache), isBaseline ? undefined : loadBaseline(octokit, repo.owner, cache)]);
  if (ownRead.status === "rejected") throw ownRead.reason;
  if (baselineRead.status === "rejected") throw baselineRead.reason;
  const { text, ...own } = ownRead.value;
  return isBaseline ? own : applyBaseline(own, baselineRead.value, text);
}

async function loadOwnPolicy(
  octokit: Octokit,
  repo: RepoRef & { defaultBranch: string },
  cache: PolicyCache,
): Promise<LoadedPolicy & { text?: string }> {
  const key = `${repo.owner}/${repo.repo}@${repo.defaultBranch}`.toLowerCase();
  const cached = cache.head(key);
  const base = { path: POLICY_FILE, ref: repo.defaultBranch };

  let response;
  try {
    response = await octokit.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.repo,
      path: POLICY_FILE,
      ref: repo.defaultBranch,
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
  } catch (error) {
    const status = statusOf(error);
    if (status === 304 && cached) {
      const text = cache.textBySha(cached.sha);
      return { ...base, source: "repository", sha: cached.sha, result: cached.result, ...(text !== undefined ? { text } : {}) };
    }
    if (status === 404) {
      cache.forget(key);
      return { ...base, source: "built-in", result: { ok: true, policy: builtInPolicy(), warnings: [] } };
    }
    return step(`read ${POLICY_FILE} from ${repo.defaultBranch}`, () => Promise.reject(error));
  }

  const data = response.data;
  const notRegular = irregularPolicyFile(data, `${POLICY_FILE} on ${repo.defaultBranch}`);
  if (notRegular || Array.isArray(data) || data.type !== "file") return invalid(base, undefined, notRegular ?? `${POLICY_FILE} is not a regular file`);
  if (data.size > MAX_POLICY_BYTES) {
    return invalid(base, data.sha, `${POLICY_FILE} is ${data.size} bytes; the limit is ${MAX_POLICY_BYTES} bytes`);
  }
  const known = cache.parsedBySha(data.sha);
  const text = Buffer.from(data.content ?? "", (data.encoding as BufferEncoding | undefined) ?? "base64").toString("utf8");
  const result = known ?? parsePolicy(text, { path: POLICY_FILE });
  const etag = response.headers.etag;
  if (etag) cache.remember(key, { etag, sha: data.sha, result, text });
  return { ...base, source: "repository", sha: data.sha, result, text };
}

/**
 * Why a contents-API answer for the policy path is not a regular file, or
 * undefined when it is one. A symlink is refused whatever it points to:
 * GitHub answers a link to a file with that file (its own `path`), and the
 * policy would then live at a path that no rule protects, so an agent could
 * change the policy it is judged by without touching `.agent-policy.yml`.
 */
export function irregularPolicyFile(data: unknown, what: string): string | undefined {
  if (Array.isArray(data)) return `${what} is a directory; the policy must be a regular file`;
  const entry = data as { type?: string; path?: string; target?: string };
  if (entry.type === "symlink") return `${what} is a symbolic link${entry.target ? ` to ${entry.target}` : ""}; the policy must be a regular file, not a link`;
  if (entry.type !== "file") return `${what} is not a regular file`;
  if (entry.path !== POLICY_FILE) {
    return `${what} is a symbolic link to ${entry.path ?? "another file"}; the policy must be a regular file, not a link, so that no other path can change it`;
  }
  return undefined;
}

function invalid(base: { path: string; ref: string }, sha: string | undefined, message: string): LoadedPolicy {
  return {
    ...base,
    source: "repository",
    ...(sha ? { sha } : {}),
    result: { ok: false, issues: [{ path: base.path, keyPath: [], line: 1, column: 1, message }] },
  };
}
