import type { ChangedFile } from "../engine/types.js";
import { parsePolicy, type PolicyIssue } from "../policy/parse-policy.js";
import { POLICY_FILE } from "../policy/schema.js";
import { step } from "./errors.js";
import { irregularPolicyFile, MAX_POLICY_BYTES } from "./load-policy.js";
import type { Octokit, RepoRef } from "./octokit.js";

export interface ProposedPolicy {
  removed: boolean;
  issues: PolicyIssue[];
}

/**
 * When a pull request changes `.agent-policy.yml`, validates the new version
 * (read at the PR's head commit) so maintainers see errors at the offending
 * lines before merging. Returns undefined when the PR does not touch it.
 */
export async function checkProposedPolicy(
  octokit: Octokit,
  repo: RepoRef,
  input: { headSha: string; files: readonly ChangedFile[] },
): Promise<ProposedPolicy | undefined> {
  const touched = input.files.find((f) => f.path === POLICY_FILE || f.previousPath === POLICY_FILE);
  // Files below `.agent-policy.yml/` make it a directory, which the loader refuses once merged.
  const inside = input.files.find((f) => f.status !== "removed" && f.path.startsWith(`${POLICY_FILE}/`));
  if (inside) return { removed: false, issues: [fileIssue(`${inside.path} would make ${POLICY_FILE} a directory; the policy must be a regular file`)] };
  if (!touched) return undefined;
  if (touched.path !== POLICY_FILE || touched.status === "removed") return { removed: true, issues: [] };

  const { data } = await step(`read the proposed ${POLICY_FILE} at ${input.headSha.slice(0, 7)}`, () =>
    octokit.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path: POLICY_FILE, ref: input.headSha }),
  );
  const notRegular = irregularPolicyFile(data, `the proposed ${POLICY_FILE}`);
  if (notRegular || Array.isArray(data) || data.type !== "file") return { removed: false, issues: [fileIssue(notRegular ?? `${POLICY_FILE} must be a regular file`)] };
  // The same limit as the governing policy's, so a file the loader would reject cannot validate here and be merged;
  // GitHub sends no content (encoding "none") for a file over 1 MB.
  if (data.size > MAX_POLICY_BYTES) {
    const message = `${POLICY_FILE} is ${data.size} bytes; the limit is ${MAX_POLICY_BYTES} bytes`;
    return { removed: false, issues: [{ path: POLICY_FILE, keyPath: [], line: 1, column: 1, message }] };
  }
  const text = Buffer.from(data.content ?? "", (data.encoding as BufferEncoding | undefined) ?? "base64").toString("utf8");
  const result = parsePolicy(text, { path: POLICY_FILE });
  return { removed: false, issues: result.ok ? [] : result.issues };
}

function fileIssue(message: string): PolicyIssue {
  return { path: POLICY_FILE, keyPath: [], line: 1, column: 1, message };
}
