import { mergeBaseline } from "../policy/merge-baseline.js";
import type { ParseResult, PolicyIssue } from "../policy/parse-policy.js";
import { parsePolicy } from "../policy/parse-policy.js";
import { placeProblems } from "../policy/place-issues.js";
import { POLICY_FILE } from "../policy/schema.js";
import type { BaselineSource } from "../report/check-run-output.js";
import { step, statusOf } from "./errors.js";
import { irregularPolicyFile, MAX_POLICY_BYTES, type LoadedPolicy, type PolicyCache } from "./load-policy.js";
import type { Octokit } from "./octokit.js";

/** The repository an organisation keeps its defaults in; its `.agent-policy.yml` is the org baseline. */
export const BASELINE_REPOSITORY = ".github";

/** The cache key of an owner's baseline. */
function baselineKey(owner: string): string {
  return `baseline:${owner}`.toLowerCase();
}

/** A push to the owner's `.github` repository may have changed the baseline: the next read asks GitHub. */
export function forgetBaseline(cache: PolicyCache, owner: string): void {
  cache.forget(baselineKey(owner));
}

/** The org baseline as read: where it is, and what parsing it gave. */
export interface LoadedBaseline {
  source: BaselineSource;
  result: ParseResult;
}

/**
 * Reads `.agent-policy.yml` from the owner's `.github` repository, on that
 * repository's default branch. Cached per owner (one installation each) like
 * a repository's policy: a conditional request, answered 304 while the file
 * is unchanged, and the parse kept by blob SHA. No `.github` repository, or no
 * file in it (both 404): no baseline, believed for `ABSENT_TTL_MS` unless a push
 * to `.github` says otherwise. Any other failure is a
 * `GitHubFactsError`, and the caller fails closed; a link, a directory or an
 * oversized file is a baseline that does not validate.
 */
export async function loadBaseline(octokit: Octokit, owner: string, cache: PolicyCache): Promise<LoadedBaseline | undefined> {
  const key = baselineKey(owner);
  if (cache.isAbsent(key)) return undefined;
  const cached = cache.head(key);
  const source: BaselineSource = { repository: `${owner}/${BASELINE_REPOSITORY}`, path: POLICY_FILE, ref: "its default branch" };
  let response;
  try {
    response = await octokit.rest.repos.getContent({
      owner,
      repo: BASELINE_REPOSITORY,
      path: POLICY_FILE,
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
  } catch (error) {
    const status = statusOf(error);
    if (status === 304 && cached) return { source: { ...source, sha: cached.sha }, result: cached.result };
    if (status === 404) {
      cache.rememberAbsent(key);
      return undefined;
    }
    return step(`read the org baseline ${POLICY_FILE} from ${owner}/${BASELINE_REPOSITORY}`, () => Promise.reject(error));
  }
  const data = response.data;
  const where = `the org baseline ${POLICY_FILE} in ${owner}/${BASELINE_REPOSITORY}`;
  const notRegular = irregularPolicyFile(data, where);
  if (notRegular || Array.isArray(data) || data.type !== "file") return { source, result: refused(notRegular ?? `${where} is not a regular file`) };
  const sha = data.sha;
  if (data.size > MAX_POLICY_BYTES) return { source: { ...source, sha }, result: refused(`${where} is ${data.size} bytes; the limit is ${MAX_POLICY_BYTES} bytes`) };
  const known = cache.parsedBySha(sha);
  const text = Buffer.from(data.content ?? "", (data.encoding as BufferEncoding | undefined) ?? "base64").toString("utf8");
  const result = known ?? parsePolicy(text, { path: POLICY_FILE });
  const etag = response.headers.etag;
  if (etag) cache.remember(key, { etag, sha, result });
  return { source: { ...source, sha }, result };
}

function refused(message: string): ParseResult {
  return { ok: false, issues: [{ path: POLICY_FILE, keyPath: [], line: 1, column: 1, message }] };
}

/**
 * The policy in force: the repository's merged onto the baseline. A baseline
 * that does not validate fails every repository closed, its problems named
 * as the baseline's (they are not in this repository, so they carry the
 * baseline's repository in their path and get no annotation). A repository
 * policy that does not validate stays invalid. Keys of the repository policy
 * that would widen the baseline are placed at their lines in `text`.
 */
export function applyBaseline(own: LoadedPolicy, baseline: LoadedBaseline | undefined, text: string | undefined): LoadedPolicy {
  if (!baseline) return own;
  const withSource = { ...own, baseline: baseline.source };
  if (!baseline.result.ok) {
    const issues = baseline.result.issues.map((issue): PolicyIssue => ({ ...issue, path: `${baseline.source.repository}/${issue.path}`, message: `org baseline: ${issue.message}` }));
    return { ...withSource, result: { ok: false, issues } };
  }
  if (!own.result.ok) return withSource;
  const merged = mergeBaseline(baseline.result.policy, own.source === "built-in" ? undefined : own.result.policy);
  const widenings =
    text !== undefined
      ? placeProblems(text, own.path, merged.widenings).map(({ written: _written, ...issue }) => issue)
      : merged.widenings.map((w): PolicyIssue => ({ path: own.path, keyPath: w.keyPath, line: 1, column: 1, message: w.message }));
  return {
    ...withSource,
    ...(widenings.length > 0 ? { widenings } : {}),
    result: { ok: true, policy: merged.policy, warnings: own.result.warnings },
  };
}
