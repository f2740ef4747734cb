import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { lintPolicy, POLICY_CHECKS } from "../../policy/lint-policy.js";
import { mergeBaseline } from "../../policy/merge-baseline.js";
import { parsePolicy } from "../../policy/parse-policy.js";
import { placeProblems } from "../../policy/place-issues.js";
import { POLICY_FILE, type Policy } from "../../policy/schema.js";
import { sarifLog } from "../../report/sarif.js";
import { usageError, type CliCommand, type CliIo } from "../command.js";
import { parseOptions, pickFormat } from "../parse-options.js";
import { inertLine, paint } from "../terminal.js";

const FORMATS = ["text", "json", "sarif"] as const;

const USAGE = `Usage: agent-policy validate [FILE] [--baseline FILE] [--format text|json|sarif] [--strict]

Checks a policy file (default: ${POLICY_FILE} in the current directory) against
the schema, then for mistakes the schema cannot see:
  expired-agent        an agent's expires has passed
  unreachable-step-up  a step_up rule no agent can trigger
  unmatchable-glob     a glob that can never match (an allow list wholly
                       denied, a workflow glob that names no workflow)

Errors print as FILE:LINE:COLUMN: MESSAGE; the semantic checks as warnings.

With --baseline, FILE is also checked against the org baseline (the
.agent-policy.yml of the organisation's .github repository): every key that
would widen it is an error (baseline-widening), and the baseline itself is
validated.

Options:
  --baseline FILE           the org baseline FILE must stay within
  --format text|json|sarif  output format (default text); sarif is SARIF 2.1.0
                            for code scanning
  --strict                  warnings fail too (exit 1)
  -h, --help                this help

Exit codes: 0 valid, 1 errors (or warnings with --strict), 2 usage error,
3 the file could not be read.
`;

/** One problem in a policy file, as every output format reports it. */
export interface ValidationProblem {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: "error" | "warning";
  /** `policy-invalid` for schema errors, else the semantic check's id. */
  rule: string;
  message: string;
  keyPath: (string | number)[];
}

export const validateCommand: CliCommand = {
  name: "validate",
  summary: "check a policy file: schema, then semantic mistakes (FILE:LINE:COLUMN)",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { format: { type: "string" }, strict: { type: "boolean" }, baseline: { type: "string" } });
    if (!parsed.ok) return usageError(io, "validate", parsed.message);
    const format = pickFormat(parsed.values.format, FORMATS, "text");
    if (typeof format === "object") return usageError(io, "validate", format.error);
    if (parsed.positionals.length > 1) return usageError(io, "validate", `expected at most one FILE, got ${parsed.positionals.length}`);
    const file = parsed.positionals[0] ?? POLICY_FILE;

    const now = io.now?.() ?? new Date();
    const baselineFile = parsed.values.baseline;
    const files = baselineFile !== undefined ? [baselineFile, file] : [file];
    const texts: string[] = [];
    for (const name of files) {
      try {
        texts.push(await readFile(resolve(io.cwd, name), "utf8"));
      } catch (error) {
        io.stderr(`agent-policy validate: cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
        return 3;
      }
    }
    const problems =
      baselineFile !== undefined
        ? validateAgainstBaseline({ text: texts[0]!, file: baselineFile }, { text: texts[1]!, file }, now)
        : validatePolicyText(texts[0]!, file, now);
    write(io, format, files, problems);
    const errors = problems.filter((p) => p.severity === "error").length;
    return errors > 0 || (parsed.values.strict && problems.length > 0) ? 1 : 0;
  },
};

/** Schema errors, or (for a policy that parsed) the semantic checks' warnings, in file order. */
export function validatePolicyText(text: string, file: string, now: Date): ValidationProblem[] {
  const result = parsePolicy(text, { path: file });
  if (!result.ok) return result.issues.map((issue) => ({ ...issue, file, severity: "error", rule: "policy-invalid" }));
  const warnings = lintPolicy(result.policy, { now });
  const placed = placeProblems(text, file, warnings);
  return placed
    .map((issue, i) => ({ ...issue, file, severity: "warning" as const, rule: warnings[i]!.check }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The baseline's own problems, then the repository policy's, with every key
 * of it that would widen the baseline as an error placed at that key.
 */
export function validateAgainstBaseline(baseline: { text: string; file: string }, repo: { text: string; file: string }, now: Date): ValidationProblem[] {
  const baselineProblems = validatePolicyText(baseline.text, baseline.file, now);
  const repoProblems = validatePolicyText(repo.text, repo.file, now);
  const baselineResult = parsePolicy(baseline.text, { path: baseline.file });
  const repoResult = parsePolicy(repo.text, { path: repo.file });
  if (!baselineResult.ok || !repoResult.ok) return [...baselineProblems, ...repoProblems];
  const widenings = wideningProblems(baselineResult.policy, repoResult.policy, repo);
  return [...baselineProblems, ...[...repoProblems, ...widenings].sort((a, b) => a.line - b.line || a.column - b.column)];
}

function wideningProblems(baseline: Policy, repo: Policy, where: { text: string; file: string }): ValidationProblem[] {
  const { widenings } = mergeBaseline(baseline, repo);
  return placeProblems(where.text, where.file, widenings).map(({ written: _written, ...issue }) => ({
    ...issue,
    file: where.file,
    severity: "error" as const,
    rule: "baseline-widening",
  }));
}

function write(io: CliIo, format: (typeof FORMATS)[number], files: readonly string[], problems: readonly ValidationProblem[]): void {
  if (format === "json") {
    const errors = problems.filter((p) => p.severity === "error").length;
    io.stdout(`${JSON.stringify({ valid: errors === 0, files, errors, warnings: problems.length - errors, problems: problems.map(jsonProblem) }, null, 2)}\n`);
    return;
  }
  if (format === "sarif") {
    io.stdout(`${JSON.stringify(validationSarif(problems), null, 2)}\n`);
    return;
  }
  const p = paint(io.isTty);
  for (const problem of problems) {
    const where = p.bold(`${inertLine(problem.file)}:${problem.line}:${problem.column}:`);
    const label = problem.severity === "warning" ? ` ${p.yellow("warning:")}` : "";
    io.stdout(`${where}${label} ${inertLine(problem.message)}\n`);
  }
  const errors = problems.filter((x) => x.severity === "error").length;
  const warnings = problems.length - errors;
  if (problems.length === 0) io.stdout(`${p.green("valid:")} ${files.map(inertLine).join(", ")}\n`);
  else io.stdout(`${errors > 0 ? p.red(count(errors, "error")) : count(errors, "error")}, ${count(warnings, "warning")}\n`);
}

function jsonProblem(problem: ValidationProblem) {
  const { file, line, column, endLine, endColumn, severity, rule, message, keyPath } = problem;
  return { file, line, column, ...(endLine !== undefined ? { endLine, endColumn } : {}), severity, rule, message, keyPath };
}

export function validationSarif(problems: readonly ValidationProblem[]): Record<string, unknown> {
  const rules = [
    { id: "policy-invalid", description: "The policy file does not validate: every change fails closed until it is fixed.", level: "error" as const },
    { id: "baseline-widening", description: "A key of the repository policy would widen the org baseline; the baseline's value applies instead.", level: "error" as const },
    ...Object.entries(POLICY_CHECKS).map(([id, description]) => ({ id, description: `The policy has ${description}.`, level: "warning" as const })),
  ];
  return sarifLog({
    category: "validate",
    rules,
    results: problems.map((problem) => ({
      ruleId: problem.rule,
      level: problem.severity,
      message: problem.message,
      path: problem.file,
      line: problem.line,
      column: problem.column,
      ...(problem.endLine !== undefined ? { endLine: problem.endLine } : {}),
      ...(problem.endColumn !== undefined ? { endColumn: problem.endColumn } : {}),
    })),
  });
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
