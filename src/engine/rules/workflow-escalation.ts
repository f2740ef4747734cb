import { compareStrings } from "../compare.js";
import { agentFields, agentLabel } from "../describe.js";
import type { Rule } from "../rule.js";
import type { ChangedFile, Finding } from "../types.js";
import { isActionFile, isWorkflowFile, type Position, type WorkflowChange } from "../workflow-document.js";
import { findEscalations } from "../workflow-escalations.js";

/** One reason to deny, before it is attributed to each agent. */
interface Problem {
  path: string;
  at?: Position;
  /** Completes "<agent> changed <path>, which …". */
  what: string;
  unreadable: boolean;
}

/**
 * A workflow (`.github/workflows/*.yml`) or action file (`action.yml`) that
 * an assistant changed so that it may do more: see `findEscalations`. The
 * shell gives both versions as parsed documents (`facts.workflowChanges`);
 * a changed file it gave no versions for, or whose versions could not be
 * read, is denied as well (fail closed). Removed files cannot escalate.
 */
export const workflowEscalation = {
  id: "workflow-escalation",
  describe:
    "An AI assistant changes a workflow or action so that it may do more: wider permissions or write-all, id-token: write, a new pull_request_target or workflow_run trigger, new uses of secrets or secrets: inherit, a runner that is not GitHub-hosted; or the versions could not be read to compare: deny.",
  evaluate({ agents, facts }) {
    if (agents.length === 0) return [];
    const problems = findProblems(facts.files, facts.workflowChanges ?? []);
    return agents.flatMap((agent) =>
      problems.map(
        (p): Finding => ({
          ruleId: "workflow-escalation",
          verdict: "deny",
          asset: { kind: "path", value: p.path },
          ...agentFields(agent),
          ...(p.at ? { line: p.at.line, column: p.at.column } : {}),
          message: `${agentLabel(agent)} changed ${p.path}, which ${p.what}.`,
          remedy: p.unreadable
            ? "Re-run the check once the file can be read; a file that cannot be read is never passed."
            : "Have a person make this workflow change, or take the escalation out of it; it cannot be approved away.",
        }),
      ),
    );
  },
} satisfies Rule;

const isWorkflowSource = (path: string) => isWorkflowFile(path) || isActionFile(path);

function findProblems(files: readonly ChangedFile[], changes: readonly WorkflowChange[]): Problem[] {
  const byPath = new Map(changes.map((c) => [c.path, c]));
  const problems: Problem[] = [];
  const sorted = files.filter((f) => f.status !== "removed" && isWorkflowSource(f.path));
  sorted.sort((a, b) => compareStrings(a.path, b.path));
  for (const file of sorted) {
    const change = byPath.get(file.path);
    if (!change) {
      problems.push({ path: file.path, what: "could not be inspected for privilege escalation (its versions were not read)", unreadable: true });
      continue;
    }
    const { base, head } = change;
    if (head.status === "absent") continue;
    if (head.status === "unreadable") {
      problems.push({ path: file.path, ...(head.at ? { at: head.at } : {}), what: `could not be read to check it for privilege escalation: ${head.reason}`, unreadable: true });
      continue;
    }
    if (base.status === "unreadable") {
      problems.push({ path: file.path, what: `could not be compared with its earlier version (${change.previousPath ?? change.path}): ${base.reason}`, unreadable: true });
      continue;
    }
    const before = base.status === "parsed" ? base.document : undefined;
    for (const escalation of findEscalations(before, head.document)) {
      problems.push({ path: file.path, at: escalation.at, what: `now ${escalation.detail} (line ${escalation.at.line})`, unreadable: false });
    }
  }
  return problems;
}
