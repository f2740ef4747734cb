import { policySchema, type Policy, type PolicyInput } from "../../src/policy/schema.js";
import { evaluatePolicy } from "../../src/engine/evaluate-policy.js";
import type { Actor, ActorRole, ChangeFacts, ChangedFile, CommitFact, Decision, Identity, PullRequestFacts } from "../../src/engine/types.js";
import { isActionFile, isWorkflowFile, type WorkflowChange, type WorkflowDocument } from "../../src/engine/workflow-document.js";

/** Fake facts for engine tables: no HTTP, only the shapes the shells produce. */

export const NOW = new Date("2026-06-15T12:00:00.000Z");

export const who = {
  copilotAgent: { login: "Copilot", id: 198982749, type: "Bot" },
  copilotReviewer: { login: "Copilot", id: 175728472, type: "Bot" },
  claudeHuman: { login: "claude", id: 81847, type: "User" },
  claudeApp: { login: "claude[bot]", id: 209825114, type: "Bot" },
  devin: { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" },
  jules: { login: "google-labs-jules[bot]", id: 161369871, type: "Bot" },
  alice: { login: "alice", id: 1001, type: "User", name: "Alice Doe", email: "alice@example.com" },
} satisfies Record<string, Identity>;

export function makePolicy(input: Omit<PolicyInput, "version"> = {}): Policy {
  return policySchema.parse({ version: 1, ...input });
}

/** A policy declaring `devin` (owner @acme/platform) with a typical scope. */
export function devinPolicy(agent: Record<string, unknown> = {}, rest: Omit<PolicyInput, "version" | "agents"> = {}): Policy {
  return makePolicy({
    ...rest,
    agents: {
      devin: {
        owner: "@acme/platform",
        match: { catalogue: ["devin"] },
        paths: { allow: ["src/**", "test/**"], deny: ["src/auth/**"] },
        ...agent,
      },
    } as PolicyInput["agents"],
  });
}

export function actor(role: ActorRole, identity: Identity): Actor {
  return { role, identity };
}

let commitCounter = 0;
export function commit(partial: Partial<CommitFact> = {}): CommitFact {
  commitCounter += 1;
  const human = { name: who.alice.name, email: who.alice.email };
  return {
    sha: partial.sha ?? commitCounter.toString(16).padStart(40, "c"),
    message: partial.message ?? "Change things",
    author: partial.author ?? human,
    committer: partial.committer ?? human,
  };
}

/** A one-line edit with its diff (without a patch, secret-content would deny: the file could not be scanned). */
export function file(path: string, extra: Partial<ChangedFile> = {}): ChangedFile {
  return { path, status: "modified", additions: 1, deletions: 1, patch: "@@ -1 +1 @@\n-old\n+new", ...extra };
}

export function renamed(previousPath: string, path: string): ChangedFile {
  return file(path, { previousPath, status: "renamed" });
}

/** An empty workflow (or action) document: nothing to escalate. */
export function emptyWorkflow(kind: WorkflowDocument["kind"] = "workflow"): WorkflowDocument {
  return { kind, triggers: [], jobs: [], secrets: [], uses: [] };
}

/**
 * Both versions of each changed workflow and action file, identical and
 * empty: tables about other rules do not depend on workflow content (the
 * escalation tables give their own versions).
 */
function unchangedWorkflows(files: readonly ChangedFile[]): WorkflowChange[] {
  return files
    .filter((f) => f.status !== "removed" && (isWorkflowFile(f.path) || isActionFile(f.path)))
    .map((f) => {
      const version = { status: "parsed" as const, document: emptyWorkflow(isWorkflowFile(f.path) ? "workflow" : "action") };
      return { path: f.path, base: version, head: version };
    });
}

/** Facts for a pull request; `changedFiles` defaults to the number of listed files. */
export function makeFacts(overrides: Partial<PullRequestFacts> & { paths?: string[] } = {}): PullRequestFacts {
  const { paths, ...rest } = overrides;
  const files = rest.files ?? (paths ?? ["src/app.ts"]).map((p) => file(p));
  return {
    workflowChanges: unchangedWorkflows(files),
    kind: "pull_request",
    repository: { owner: "acme", name: "widgets", defaultBranch: "main" },
    number: 7,
    headSha: "a".repeat(40),
    headRef: "feature/x",
    baseRef: "main",
    actors: [],
    commits: [],
    commitsComplete: true,
    changedFiles: files.length,
    policyPaths: [".agent-policy.yml"],
    ...rest,
    files,
  };
}

/** Facts of a PR opened by Devin. */
export function devinFacts(overrides: Partial<PullRequestFacts> & { paths?: string[] } = {}): PullRequestFacts {
  return makeFacts({ actors: [actor("pr_author", who.devin)], ...overrides });
}

export function evaluate(policy: Policy, facts: ChangeFacts, now: Date = NOW): Decision {
  return evaluatePolicy(policy, facts, { now });
}

/** `ruleId verdict asset agent` per finding, for compact assertions. */
export function summarize(decision: Decision): string[] {
  return decision.findings.map((f) => [f.ruleId, f.verdict, f.asset.value, f.agent ?? "-"].join(" "));
}
