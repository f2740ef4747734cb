import { applyApprovals } from "../engine/apply-approvals.js";
import { evaluateStepUps } from "../engine/approvals.js";
import { approvesWorkflowSources } from "../engine/approved-workflow-change.js";
import { evaluatePolicy } from "../engine/evaluate-policy.js";
import type { Policy } from "../engine/types.js";
import { unlinkedParticipants } from "../engine/unlinked-participants.js";
import type { WorkflowSource } from "../engine/workflow-modified.js";
import { gatherApprovalFacts } from "../github/approval-facts.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { MAX_PULL_REQUESTS_AT_COMMIT, openPullRequestsAt } from "../github/open-pull-requests-at.js";
import { gatherPullRequestFacts, readPullRequest } from "../github/pull-request-facts.js";

/**
 * The open pull request whose head is the run's commit and whose step-up
 * review approved every differing source of the run, if there is one. Each
 * candidate is judged exactly as its own check is — the same facts, the same
 * engine, the same approval rules at that head commit — so there is one way
 * to approve a workflow change, not two. A GitHub failure escapes as a
 * `GitHubFactsError` (the caller cancels: an approval that cannot be read
 * does not count).
 */
export async function findApprovedWorkflowChange(
  octokit: Octokit,
  repo: RepoRef,
  input: { policy: Policy; policyPath: string; headSha: string; differing: readonly WorkflowSource[]; now: Date },
): Promise<{ pullRequest: number; approvers: string[] } | undefined> {
  for (const number of (await openPullRequestsAt(octokit, repo, input.headSha)).slice(0, MAX_PULL_REQUESTS_AT_COMMIT)) {
    const pr = await readPullRequest(octokit, repo, number);
    const { facts, pull } = await gatherPullRequestFacts(octokit, repo, pr, { policyPaths: [input.policyPath] });
    if (facts.headSha !== input.headSha) continue;
    const decision = evaluatePolicy(input.policy, facts, { now: input.now });
    if (decision.stepUps.length === 0 || decision.verdict === "deny") continue;
    const approvals = await gatherApprovalFacts(octokit, repo, {
      number,
      headSha: facts.headSha,
      stepUps: decision.stepUps,
      head: pull.head,
      unlinked: unlinkedParticipants(input.policy, facts),
    });
    const approved = applyApprovals(decision, evaluateStepUps(decision, facts, approvals, input.policy));
    if (!approvesWorkflowSources(approved, facts, input.differing)) continue;
    const approvers = [...new Set((approved.stepUpStatus ?? []).flatMap((s) => s.approvedBy))].sort();
    return { pullRequest: number, approvers };
  }
  return undefined;
}
