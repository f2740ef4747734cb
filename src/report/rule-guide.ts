import type { RuleId } from "../engine/types.js";

/** Why a rule exists and how a change satisfies it: what `agent-policy explain` prints next to the rule's description. */
export interface RuleGuide {
  why: string;
  fix: string;
}

/** One entry per rule id: a `Record`, so a rule added without its explanation does not type-check. */
export const RULE_GUIDE: Record<RuleId, RuleGuide> = {
  "policy-invalid": {
    why: "A policy that does not validate cannot say who may do what, so nothing is judged against it: every change fails closed until it is fixed, rather than passing unchecked.",
    fix: "Run `agent-policy validate` and fix each error at the file, line and column it names; a pull request that edits the policy shows the same errors as annotations.",
  },
  "policy-self-edit": {
    why: "An assistant that could edit the policy judging its own change could grant itself any scope. The policy is read from the default branch, and only people change it.",
    fix: "Have a person make the policy change in a separate pull request; keep the assistant's change free of the policy file (either side of a rename counts).",
  },
  "unregistered-agent": {
    why: "An identity without an owner is nobody's responsibility: a known assistant acts only once a maintainer registers it with an accountable owner and a scope.",
    fix: "Declare the assistant under `agents:` with an `owner`, a `match` (the check shows the YAML to add) and the narrowest `paths.allow` it needs.",
  },
  "agent-expired": {
    why: "A grant that never ends outlives the reason it was given; authority lapses at `expires` unless someone renews it on purpose.",
    fix: "Have the agent's owner extend `agents.<name>.expires` (a date is valid through that day, UTC) if the work should continue.",
  },
  "agent-suspended": {
    why: "The revocation switch: during an incident, an owner stops every action of one assistant at once, without deleting its registration.",
    fix: "The owner sets `agents.<name>.suspended: false` once the reason for the suspension is resolved.",
  },
  "repo-scope": {
    why: "An org confines each assistant to the repositories its function needs (a docs agent to the docs sites, a dependency agent to services), so a credential or a prompt that leads it elsewhere reaches nothing more.",
    fix: "Do the work in a repository the agent is confined to, or have an org admin add this repository to `agents.<name>.repos.allow` in the org baseline (`.agent-policy.yml` in the `.github` repository).",
  },
  "write-by-suggest-only": {
    why: "A suggest-only assistant is trusted to comment and review, not to author: any commit, push or pull request in its name is outside the authority it was given.",
    fix: "Have a person make the change from the assistant's suggestions, or have its owner set `agents.<name>.access: write` (in the org baseline when the baseline makes it suggest-only).",
  },
  "unsafe-path": {
    why: "GitHub never lists such paths; one that appears is forged or mangled and could make a path look like another to a rule.",
    fix: "Remove the file, or rename it to a plain repository-relative path.",
  },
  "secret-file": {
    why: "Files that hold credentials (keys, `.env`, state files) must not be created, read back through a rename, or changed by an assistant: a leak or a planted credential is hard to undo.",
    fix: "Have a person make the change, and keep credentials out of the repository (a secret store, the CI's secrets).",
  },
  "secret-content": {
    why: "A credential committed to a branch is leaked the moment it is pushed; every added line is scanned, whatever its length.",
    fix: "Remove the credential from the branch, including its history, and rotate it.",
  },
  "unscannable-change": {
    why: "Content that cannot be scanned (a binary file, a diff GitHub does not show or cuts short, new Git LFS content) could carry a credential no detector saw; an assistant must not be able to pass one that way.",
    fix: "Have the agent's owner review the file and approve the step-up, or have a person make the change; with `unscannable: deny`, keep such files out of an assistant's changes.",
  },
  "path-scope": {
    why: "Least privilege: an assistant changes only the paths its owner allowed, and never those it was denied, on both sides of a rename.",
    fix: "Keep the change within `agents.<name>.paths.allow` and outside `paths.deny`, or have the owner widen the scope in the policy (a person's pull request).",
  },
  "branch-scope": {
    why: "Naming the branches an assistant works on keeps its changes recognisable and away from branches with other rules.",
    fix: "Move the work to a branch matching `agents.<name>.branches`, or have the owner widen that list.",
  },
  "governance-file": {
    why: "Workflows, CODEOWNERS, agent instructions and MCP configuration steer CI, review and the assistants themselves; a change to them is a change to the controls.",
    fix: "An approving review at the head commit from the agent's owner (or from the approvers of a `step_up` rule that covers the file); a new push needs a new approval.",
  },
  "step-up": {
    why: "Some paths an assistant may change, but not alone: named people must look at the change first (dependencies, infrastructure, release files).",
    fix: "`count` approving reviews at the head commit from the rule's approvers; the author, the commits' authors and co-authors, bots and agents do not count.",
  },
  "too-large-to-verify": {
    why: "GitHub lists at most 3000 files and 250 commits of a pull request; past that, an assistant could hide a change or an identity in what is not listed.",
    fix: "Split the change into smaller pull requests or pushes.",
  },
  "facts-unavailable": {
    why: "When GitHub does not answer, the change cannot be checked, and an unchecked change must not pass.",
    fix: "Re-run the check once GitHub answers again; the check run names the call that failed.",
  },
  "re-evaluation-incomplete": {
    why: "After a policy change, an expiry or a suspension, every open pull request an assistant worked on must take the new verdict; a repository with very many open pull requests is re-evaluated only up to a bound, and the rest wait for their next event.",
    fix: "Close stale pull requests, or use the check's Re-evaluate button (or push) on the pull requests that were not reached.",
  },
  "workflow-not-allowed": {
    why: "A workflow run acts with the repository's token and secrets; an assistant may start only the workflows its owner allowed.",
    fix: "Add the workflow's file name or path to `agents.<name>.workflows.allow`, or have a person start the run.",
  },
  "workflow-escalation": {
    why: "A workflow's permissions, triggers, secrets and runners decide what its runs may do with the repository's token; an assistant that widens them grants itself, or a later run, more than its owner gave it.",
    fix: "Have a person make the workflow change; keep an assistant's workflow edits within the permissions, triggers, secrets and runners the workflow already has.",
  },
  "workflow-modified": {
    why: "A workflow run executes the file at the run's commit, not the default branch's: an assistant that rewrites a workflow it may start (or a local action or reusable workflow it calls) would run its own steps with the repository's token and secrets.",
    fix: "Run the workflow as the default branch defines it; change workflows in a pull request whose governance step-up is approved before the changed workflow runs.",
  },
  "environment-not-allowed": {
    why: "Deploying is the most privileged thing a workflow does; an assistant deploys only to the environments its owner named.",
    fix: "Add the environment to `agents.<name>.environments.allow` (or `.step_up`), or have a person deploy.",
  },
  "environment-step-up": {
    why: "Some environments an assistant may deploy to only with its owner's approval, enforced by GitHub's own required reviewers.",
    fix: "Make the agent's owner the only required reviewer of the environment, with \"Prevent self-review\" on; then cancel and re-run the workflow run.",
  },
  "push-to-protected-branch": {
    why: "Protected branches change only through reviewed pull requests; an assistant's direct push there skipped every review.",
    fix: "Review the pushed commits and revert what was not reviewed; restrict the assistant's push access with a branch ruleset.",
  },
  "merge-by-agent": {
    why: "Merging is a person's decision: an assistant that merges, or enables auto-merge, approves its own work.",
    fix: "Review the merged change and revert it if it was not approved; remove the assistant's merge rights.",
  },
};
