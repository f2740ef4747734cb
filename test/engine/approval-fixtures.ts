import type { ApprovalFacts, ReviewFact, ReviewState, TeamMembership } from "../../src/engine/approvals.js";
import type { ParticipantFacts } from "../../src/engine/approval-types.js";
import type { Identity, PullRequestFacts } from "../../src/engine/types.js";
import type { Policy } from "../../src/policy/schema.js";
import { actor, commit, makeFacts, makePolicy, who } from "./fixtures.js";

/** Fake reviews and team memberships for the step-up approval tables. */

export const HEAD = "a".repeat(40);
export const OLD = "b".repeat(40);

export const people = {
  bob: { login: "bob", id: 2001, type: "User" },
  carol: { login: "carol", id: 2002, type: "User" },
  dave: { login: "dave", id: 2003, type: "User" },
  eve: { login: "eve", id: 2004, type: "User" },
} satisfies Record<string, Identity>;

/**
 * Devin (owner @acme/platform) plus `claude-local` (trailer-matched, owner
 * @alice) and `reviewbot` (a user-type account, listed as an approver on
 * purpose); step-up `deps` on package.json.
 */
export function approvalPolicy(deps: { users?: string[]; teams?: string[]; count?: number } = {}): Policy {
  return makePolicy({
    agents: {
      devin: { owner: "@acme/platform", match: { catalogue: ["devin"] }, paths: { allow: ["**"], deny: ["src/auth/**"] } },
      "claude-local": { owner: "@alice", match: { catalogue: ["claude-code"] }, paths: { allow: ["**"] } },
      reviewbot: { owner: "@alice", match: { logins: ["acme-reviewer"] }, paths: { allow: [] } },
    },
    step_up: [
      {
        name: "deps",
        when: { paths: ["package.json"] },
        approvers: {
          users: deps.users ?? ["Bob", "carol", "claude", "Copilot", "acme-reviewer", "devin-ai-integration[bot]", "openhands-agent"],
          teams: deps.teams ?? ["acme/security"],
        },
        count: deps.count ?? 1,
      },
    ],
  });
}

/** A PR by Devin changing package.json, with one commit by Devin. */
export function devinPr(overrides: Partial<PullRequestFacts> & { paths?: string[] } = {}): PullRequestFacts {
  const devinGit = { name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" };
  return makeFacts({
    headSha: HEAD,
    actors: [actor("pr_author", who.devin)],
    commits: [commit({ sha: HEAD, author: devinGit, committer: devinGit })],
    paths: ["package.json"],
    ...overrides,
  });
}

/** A PR opened by alice whose commit carries a Claude Code co-author trailer, plus `extra` message lines. */
export function claudeAssistedPr(extra: string[] = [], commitOverrides: Parameters<typeof commit>[0] = {}): PullRequestFacts {
  const message = ["Bump deps", "", "Co-authored-by: Claude <noreply@anthropic.com>", ...extra].join("\n");
  return makeFacts({
    headSha: HEAD,
    actors: [actor("pr_author", who.alice), actor("sender", people.bob)],
    commits: [commit({ sha: HEAD, message, ...commitOverrides })],
    paths: ["package.json"],
  });
}

let reviewId = 0;
/** A review; `at` is minutes after a fixed origin, so tables state the order explicitly. */
export function review(reviewer: Identity, state: ReviewState, at: number, commitId = HEAD, id?: number): ReviewFact {
  reviewId += 1;
  const submittedAt = new Date(Date.UTC(2026, 5, 15, 10, 0) + at * 60_000).toISOString();
  return { id: id ?? reviewId, reviewer, state, commitId, submittedAt };
}

export const SECURITY_OK: Record<string, TeamMembership> = {
  "acme/security": { status: "ok", members: ["dave"] },
  "acme/platform": { status: "ok", members: ["carol", "dave"] },
};

export function approvals(
  reviews: ReviewFact[],
  teamMembers: Record<string, TeamMembership> = SECURITY_OK,
  headSha = HEAD,
  participants: ParticipantFacts = { accounts: [], unresolved: [] },
): ApprovalFacts {
  return { headSha, reviews, teamMembers, participants };
}
