import { FRAMEWORK_MAPPING, NIST_CSF_2, OWASP_AGENTIC_2026, OWASP_NHI_2025 } from "../../audit/framework-mapping.js";
import { describeRule } from "../../engine/evaluate-policy.js";
import { RULE_IDS, type RuleId } from "../../engine/types.js";
import { RULE_GUIDE } from "../../report/rule-guide.js";
import { usageError, type CliCommand } from "../command.js";
import { parseOptions } from "../parse-options.js";
import { paint } from "../terminal.js";

const USAGE = `Usage: agent-policy explain RULE_ID

Says what a rule checks, why it exists (with its place in OWASP's Top 10 for
Non-Human Identities and for Agentic Applications, and in NIST CSF 2.0), and
how a change satisfies it.
Rule ids appear in the check run, its annotations, the audit log and the
output of 'agent-policy check'.

Rule ids:
${RULE_IDS.map((id) => `  ${id}`).join("\n")}
`;

export const explainCommand: CliCommand = {
  name: "explain",
  summary: "say what a rule checks, why (its framework mapping), and how to satisfy it",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, {});
    if (!parsed.ok) return usageError(io, "explain", parsed.message);
    if (parsed.positionals.length !== 1) return usageError(io, "explain", "expected one RULE_ID (see the list in --help)");
    const id = parsed.positionals[0]!;
    if (!isRuleId(id)) {
      const near = RULE_IDS.filter((r) => r.includes(id) || id.includes(r));
      return usageError(io, "explain", `unknown rule id '${id}'${near.length ? `; did you mean ${near.join(" or ")}?` : ""}`);
    }
    const p = paint(io.isTty);
    const guide = RULE_GUIDE[id];
    const sections = [
      p.bold(id),
      "",
      p.bold("What it checks"),
      wrap(describeRule(id)),
      "",
      p.bold("Why"),
      wrap(guide.why),
      "",
      p.bold("Framework mapping"),
      ...frameworkLines(id),
      "",
      p.bold("How to satisfy it"),
      wrap(guide.fix),
    ];
    io.stdout(`${sections.join("\n")}\n`);
    return 0;
  },
};

function frameworkLines(id: RuleId): string[] {
  const m = FRAMEWORK_MAPPING[id];
  const list = <K extends string>(ids: readonly K[], names: Record<K, string>) => (ids.length ? ids.map((k) => `${k} ${names[k]}`).join("; ") : "none");
  return [
    wrap(`OWASP Top 10 for Non-Human Identities (2025): ${list(m.nhi, OWASP_NHI_2025)}`),
    wrap(`OWASP Top 10 for Agentic Applications (2026): ${list(m.asi, OWASP_AGENTIC_2026)}`),
    wrap(`NIST CSF 2.0: ${list(m.csf, NIST_CSF_2)}`),
  ];
}

function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

/** Words filled to 78 columns, indented by two. */
export function wrap(text: string, width = 78): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - 2) {
      lines.push(`  ${line}`);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(`  ${line}`);
  return lines.join("\n");
}
