import type { Policy, PolicyMode } from "../policy/schema.js";
import type { StepUpStatus } from "./approval-types.js";
import type { WorkflowChange } from "./workflow-document.js";

/** Verdicts are ordered: allow < step_up < deny. Combine with `worst()`, or `worstOf()` over a list. */
export type Verdict = "allow" | "step_up" | "deny";

const VERDICT_RANK: Record<Verdict, number> = { allow: 0, step_up: 1, deny: 2 };

/** The worst of a few verdicts given one by one; for a list of any length use `worstOf` (no argument spread). */
export function worst(...verdicts: Verdict[]): Verdict {
  return worstOf(verdicts);
}

/** The worst verdict in `verdicts` (`allow` when empty). */
export function worstOf(verdicts: Iterable<Verdict>): Verdict {
  let result: Verdict = "allow";
  for (const v of verdicts) if (VERDICT_RANK[v] > VERDICT_RANK[result]) result = v;
  return result;
}


/** Stable rule ids: documented in the README, used in check runs, annotations and audit records. */
export const RULE_IDS = [
  "policy-invalid",
  "policy-self-edit",
  "unregistered-agent",
  "agent-expired",
  "agent-suspended",
  "unsafe-path",
  "secret-file",
  "secret-content",
  "unscannable-change",
  "path-scope",
  "branch-scope",
  "repo-scope",
  "write-by-suggest-only",
  "governance-file",
  "step-up",
  "too-large-to-verify",
  "facts-unavailable",
  "workflow-not-allowed",
  "workflow-modified",
  "workflow-escalation",
  "environment-not-allowed",
  "environment-step-up",
  "push-to-protected-branch",
  "merge-by-agent",
  "re-evaluation-incomplete",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** A GitHub account or a git identity, as much of it as the event tells. */
export interface Identity {
  login?: string;
  id?: number;
  /** GitHub account type: "User", "Bot", "Organization". */
  type?: string;
  name?: string;
  email?: string;
}

export type ActorRole =
  | "pr_author"
  | "sender"
  | "pusher"
  | "commit_author"
  | "committer"
  | "co_author"
  | "trailer"
  | "workflow_actor"
  | "triggering_actor"
  | "deployment_creator"
  | "merged_by"
  | "auto_merge_enabler"
  /** Seen acting on this commit by an earlier event, and kept on the commit's record (see `recordedRole`). */
  | "recorded";

/** Someone (or something) that took part in the change, and where we saw them. */
export interface Actor {
  role: ActorRole;
  identity: Identity;
  /** The commit SHA for commit-derived actors. */
  commit?: string;
  /** The raw trailer line for `trailer` / `co_author` actors. */
  trailer?: string;
  /** For a `recorded` actor: the role it had in the event that put it on record (`sender`, `pusher`). */
  recordedRole?: ActorRole;
}

export interface CommitFact {
  sha: string;
  message: string;
  author: Identity;
  committer: Identity;
}

export type FileStatus = "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";

export interface ChangedFile {
  /** Path as GitHub stores it (after a rename: the new path). */
  path: string;
  /** Before a rename or copy: the old path. Rules look at both sides. */
  previousPath?: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** Unified diff as GitHub returns it; absent when GitHub omits it (binary, too large). */
  patch?: string;
  /** The file's blob SHA after the change, as GitHub lists it (absent for a removed file). */
  sha?: string;
  /**
   * The blob SHA of the other side (before a rename, copy or edit), only when
   * a shell read it: equal to `sha`, it proves a change without a diff added
   * no content.
   */
  previousSha?: string;
}

/** What every change has, whether a pull request or a push; gathered by a shell. */
interface ChangeFactsBase {
  repository: { owner: string; name: string; defaultBranch: string };
  /** The commit judged: a pull request's head, a push's `after` (all zeros when the push deleted the ref). */
  headSha: string;
  /** A pull request's head branch; a push's branch or tag name (without `refs/heads/`, `refs/tags/`). */
  headRef: string;
  /** PR author, event sender, pusher. Commit-derived actors are derived by the engine from `commits`. */
  actors: Actor[];
  commits: CommitFact[];
  /** False when GitHub listed fewer commits than the change has (it lists at most 250). */
  commitsComplete: boolean;
  files: ChangedFile[];
  /** Number of changed files GitHub reports for the change (may exceed what its API lists: 3000). */
  changedFiles: number;
  /** Paths the policy governing this change is loaded from (repo-relative), for the self-edit rule. */
  policyPaths: string[];
  /**
   * Both versions of each changed workflow and action file, parsed by the
   * shell, for the workflow-escalation rule; a changed file missing here
   * counts as unreadable (fail closed).
   */
  workflowChanges?: WorkflowChange[];
}

export interface PullRequestFacts extends ChangeFactsBase {
  kind: "pull_request";
  number: number;
  baseRef: string;
}

/**
 * A push of one ref. `files` are the changes from `compareBase` to `headSha`;
 * a push judged on its identities only (a deletion, a tag, a protected
 * branch) lists none.
 */
export interface PushFacts extends ChangeFactsBase {
  kind: "push";
  /** The full ref: `refs/heads/…` or `refs/tags/…`. */
  ref: string;
  refType: "branch" | "tag";
  /** The ref's SHA before the push (all zeros when the push created it). */
  before: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  /** What `files` were compared against: `before`, or the default branch for a created or force-pushed branch. */
  compareBase?: string;
  /** False when the compare API may have listed fewer files than changed (it gives no total, and lists at most 300). */
  filesComplete: boolean;
  /**
   * Set when the push is GitHub's own merge of this pull request into the
   * pushed branch (proven by the shell): the merge is judged as a merge
   * (`merge-by-agent`), and the branch is not one an assistant worked on.
   */
  mergedPullRequest?: number;
  /**
   * Set when the change is a merge queue's group (`merge_group`): the queue's
   * branch is GitHub's, not one an assistant worked on (each pull request's
   * own branch was judged on the pull request), and the group is not a push
   * to the protected branch it will land on.
   */
  mergeGroup?: boolean;
}

/** The facts of one change, gathered by a shell. */
export type ChangeFacts = PullRequestFacts | PushFacts;

export interface EvaluationOptions {
  /** Injected clock: the engine never reads the time itself. */
  now: Date;
}

export type AssetKind = "path" | "branch" | "repository" | "policy" | "agent" | "change" | "workflow" | "environment";

export interface Asset {
  kind: AssetKind;
  value: string;
  /** For a renamed path: the other side of the rename. */
  previousPath?: string;
}

export interface Evidence {
  role: ActorRole;
  /** Human-readable: `PR author Copilot (id 198982749)`, `co-author trailer in 1a2b3c4`. */
  detail: string;
  commit?: string;
}

/** An assistant seen in the change: declared in the policy, or known from the catalogue only. */
export interface AgentActivity {
  /** The policy's agent key when declared; the catalogue id otherwise. */
  key: string;
  declared: boolean;
  /** Display name (catalogue name or the policy key). */
  name: string;
  owner?: string;
  catalogueId?: string;
  evidence: Evidence[];
}

export interface StepUpRequirement {
  /** The `step_up` rule name, or `governance-files (<agent>)` for an agent's built-in governance step-up. */
  name: string;
  users: string[];
  teams: string[];
  count: number;
  paths: string[];
}

export interface Finding {
  ruleId: RuleId;
  verdict: Verdict;
  asset: Asset;
  /** Policy key (or catalogue id) of the agent concerned, when one is. */
  agent?: string;
  owner?: string;
  /** One sentence a maintainer understands. */
  message: string;
  /** What to do about it, possibly multi-line (e.g. the YAML to add). */
  remedy?: string;
  /** 1-based line in `asset.value` when the finding points inside a file. */
  line?: number;
  column?: number;
  /** For step_up findings: the step-up rule this finding belongs to. */
  stepUp?: string;
  /** Set by `applyApprovals` on a step_up finding whose step-up is satisfied. */
  approved?: boolean;
}

export interface Decision {
  verdict: Verdict;
  mode: PolicyMode;
  /** True when the change involves at least one AI assistant. */
  agentActivity: boolean;
  agents: AgentActivity[];
  findings: Finding[];
  stepUps: StepUpRequirement[];
  evaluatedAt: string;
  /** Set by `applyApprovals`: one status per step-up requirement, in `stepUps` order. */
  stepUpStatus?: StepUpStatus[];
}

export type { Policy };
