import { describeRule } from "../engine/evaluate-policy.js";
import type { Decision, Finding, Verdict } from "../engine/types.js";
import { placeProblems } from "../policy/place-issues.js";
import { POLICY_FILE } from "../policy/schema.js";
import { decisionTitle } from "../report/check-run-output.js";
import { RULE_GUIDE } from "../report/rule-guide.js";
import { sarifLog, type SarifLevel } from "../report/sarif.js";
import type { LocalPolicy } from "./local-policy.js";
import { inertLine, inertLines, type Paint } from "./terminal.js";

/** Everything one `check` found, for every output format. */
export interface CheckOutcome {
  decision: Decision;
  policy: LocalPolicy;
  change: {
    kind: "pull_request" | "push";
    base: string;
    head: string;
    baseSha: string;
    headSha: string;
    mergeBase: string;
    branch: string;
    commits: number;
    files: number;
  };
  exitCode: number;
}

/** 0 allow, 1 step-up, 2 deny; in audit mode 0 whatever the verdict, as the app's check is `neutral` and blocks nothing. */
export function exitCodeFor(decision: Decision): number {
  if (decision.mode === "audit") return 0;
  return EXIT[decision.verdict];
}

const EXIT: Record<Verdict, number> = { allow: 0, step_up: 1, deny: 2 };
const LABEL: Record<Verdict, string> = { allow: "allow", step_up: "step-up", deny: "deny" };

export function renderTable(outcome: CheckOutcome, p: Paint): string {
  const { decision, change, policy } = outcome;
  const colour = (verdict: Verdict, text: string) => (verdict === "deny" ? p.red(text) : verdict === "step_up" ? p.yellow(text) : p.green(text));
  const lines = [`${p.bold("Agent Policy:")} ${colour(decision.verdict, inertLine(decisionTitle(decision)))} (exit ${outcome.exitCode})`, ""];
  const source = policy.source;
  lines.push(
    `policy  ${
      source.source === "built-in"
        ? `none (no ${POLICY_FILE} at ${inertLine(source.ref)}): built-in rules, audit mode`
        : `${inertLine(source.path)} at ${inertLine(source.ref)}${source.sha ? ` (blob ${source.sha.slice(0, 12)})` : ""}, mode ${decision.mode}`
    }`,
    ...(source.baseline ? [`baseline  ${inertLine(source.baseline.path)} (org floor: the policy may only narrow it)`] : []),
    `change  ${change.kind === "push" ? "push to" : "branch"} ${inertLine(change.branch)}: ${count(change.commits, "commit")}, ${count(change.files, "file")}, ` +
      `${inertLine(change.base)}...${inertLine(change.head)} (merge base ${change.mergeBase.slice(0, 7)}, head ${change.headSha.slice(0, 7)})`,
  );
  if (decision.agents.length === 0) lines.push("agents  none (actor, commit authors, committers and trailers checked)");
  for (const [i, agent] of decision.agents.entries()) {
    const who = agent.declared ? `${agent.key} (owner ${agent.owner ?? "unknown"})` : `${agent.key} (unregistered)`;
    lines.push(`${i === 0 ? "agents" : "      "}  ${inertLine(who)}: ${inertLine(agent.evidence.map((e) => e.detail).join("; "))}`);
  }

  if (decision.findings.length > 0) {
    const rows = decision.findings.map((f) => [LABEL[f.verdict], f.ruleId, f.agent ?? "-", assetText(f), f.message].map(inertLine) as [string, string, string, string, string]);
    const head = ["VERDICT", "RULE", "AGENT", "ASSET", "EXPLANATION"];
    const widths = [0, 1, 2, 3].map((c) => Math.min(c === 3 ? 48 : 40, Math.max(head[c]!.length, ...rows.map((r) => r[c]!.length))));
    const cell = (text: string, c: number) => (text.length > widths[c]! ? `${text.slice(0, widths[c]! - 1)}…` : text.padEnd(widths[c]!));
    lines.push("", p.bold(head.map((h, c) => (c < 4 ? cell(h, c) : h)).join("  ")));
    rows.forEach((row, r) => {
      const verdict = decision.findings[r]!.verdict;
      lines.push([colour(verdict, cell(row[0], 0)), cell(row[1], 1), cell(row[2], 2), cell(row[3], 3), row[4]].join("  "));
    });
  }
  if (decision.stepUps.length > 0) {
    lines.push("", p.bold("Step-up reviews this change needs (approving reviews at its head commit, counted on GitHub):"));
    for (const s of decision.stepUps) {
      const who = [...s.users.map((u) => `@${u}`), ...s.teams.map((t) => `@${t}`)].join(", ") || "nobody eligible";
      lines.push(`  ${inertLine(s.name)}: ${s.count} from ${inertLine(who)}${s.paths.length ? ` (${inertLine(s.paths.slice(0, 5).join(", "))}${s.paths.length > 5 ? ", …" : ""})` : ""}`);
    }
  }
  const remedies = [...new Set(decision.findings.map((f) => f.remedy).filter((r): r is string => !!r))];
  if (remedies.length > 0) {
    lines.push("", p.bold("How to fix:"));
    for (const remedy of remedies.slice(0, 20)) lines.push(...inertLines(remedy).split("\n").map((l, i) => `${i === 0 ? "  - " : "    "}${l}`));
  }
  return `${lines.join("\n")}\n`;
}

function assetText(f: Finding): string {
  const renamed = f.asset.previousPath !== undefined ? ` (rename with ${f.asset.previousPath})` : "";
  return `${f.asset.kind} ${f.asset.value}${renamed}`;
}

export function renderJson(outcome: CheckOutcome): string {
  const { decision, change, policy, exitCode } = outcome;
  const body = {
    verdict: decision.verdict,
    mode: decision.mode,
    exitCode,
    title: decisionTitle(decision),
    policy: policy.source,
    change,
    decision,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

const LEVEL: Record<Verdict, SarifLevel> = { deny: "error", step_up: "warning", allow: "note" };

/**
 * Findings on a path point at that file (and line, for a credential); the
 * others (an agent, a branch, the change) at the agent's entry in the policy
 * file, or its first line, so code scanning can show each of them.
 */
export function renderSarif(outcome: CheckOutcome): string {
  const { decision, policy } = outcome;
  const policyPath = policy.source.source === "built-in" ? POLICY_FILE : policy.source.path;
  const agentLines = new Map<string, number>();
  if (policy.text !== undefined) {
    const keys = [...new Set(decision.findings.map((f) => f.agent).filter((a): a is string => a !== undefined && policy.result.ok && Object.hasOwn(policy.result.policy.agents, a)))];
    placeProblems(policy.text, policyPath, keys.map((key) => ({ keyPath: ["agents", key], message: "" }))).forEach((placed, i) => {
      if (placed.written) agentLines.set(keys[i]!, placed.line);
    });
  }
  const results = decision.findings.map((f) => {
    const onFile = f.asset.kind === "path" || f.asset.kind === "policy";
    return {
      ruleId: f.ruleId,
      level: LEVEL[f.verdict],
      message: f.remedy ? `${f.message} ${f.remedy}` : f.message,
      path: onFile ? f.asset.value : policyPath,
      line: onFile ? (f.line ?? 1) : (f.agent !== undefined ? agentLines.get(f.agent) : undefined) ?? 1,
      ...(onFile && f.column !== undefined ? { column: f.column } : {}),
      properties: { verdict: f.verdict, asset: `${f.asset.kind}:${f.asset.value}`, ...(f.agent ? { agent: f.agent } : {}), ...(f.owner ? { owner: f.owner } : {}) },
    };
  });
  const rules = [...new Set(decision.findings.map((f) => f.ruleId))].sort().map((id) => ({
    id,
    description: describeRule(id),
    help: `${RULE_GUIDE[id].why} How to satisfy it: ${RULE_GUIDE[id].fix}`,
    level: LEVEL[decision.findings.find((f) => f.ruleId === id)!.verdict],
  }));
  return `${JSON.stringify(sarifLog({ category: "check", rules, results }), null, 2)}\n`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
