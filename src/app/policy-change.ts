import { PUSH_PAYLOAD_MAX_COMMITS } from "../github/push-event.js";
import { POLICY_FILE } from "../policy/schema.js";

interface PushedCommit {
  added?: unknown;
  modified?: unknown;
  removed?: unknown;
}

/** The parts of a push this reads. */
export interface PolicyPush {
  ref: string;
  deleted: boolean;
  created: boolean;
  forced: boolean;
  commits: readonly PushedCommit[];
  repository: { default_branch: string };
}

/**
 * Whether a push may have changed the policy that governs the repository:
 * a push to the default branch whose commits add, change or remove
 * `.agent-policy.yml` (in any case). When the payload cannot prove the
 * policy unchanged — a forced update or a newly created branch (no commit
 * list to trust), as many commits as a payload can list, a commit without
 * its file lists — the answer is yes: a needless re-evaluation costs
 * requests, a missed one leaves a revoked agent's work green.
 */
export function pushMayChangePolicy(push: PolicyPush): boolean {
  if (push.ref !== `refs/heads/${push.repository.default_branch}` || push.deleted) return false;
  if (push.forced || push.created || push.commits.length >= PUSH_PAYLOAD_MAX_COMMITS) return true;
  const policy = POLICY_FILE.toLowerCase();
  return push.commits.some((commit) => {
    const lists = [commit.added, commit.modified, commit.removed];
    if (!lists.every(Array.isArray)) return true;
    return (lists as unknown[][]).some((paths) => paths.some((path) => typeof path !== "string" || path.toLowerCase() === policy));
  });
}
