import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { evaluatePolicy } from "../../engine/evaluate-policy.js";
import { formatPolicyIssue } from "../../policy/parse-policy.js";
import { actingActors, type ActingAs } from "../acting-as.js";
import { exitCodeFor, renderJson, renderSarif, renderTable, type CheckOutcome } from "../check-output.js";
import { usageError, type CliCommand, type CliIo } from "../command.js";
import { LocalFactsError, gitIn } from "../git.js";
import { gatherGitFacts } from "../git-facts.js";
import { resolveBase, resolveBranch, resolveRepository } from "../local-change.js";
import { readLocalPolicy, underBaseline } from "../local-policy.js";
import { parseOptions, pickFormat } from "../parse-options.js";
import { inertLine, paint } from "../terminal.js";

const FORMATS = ["table", "json", "sarif"] as const;

/** Exit codes: the verdict's, and 3 for anything that kept the check from judging. */
const ERROR = 3;

const USAGE = `Usage: agent-policy check (--actor LOGIN [--actor-id N] | --agent ID) [options]

Judges a local git range with the app's engine, as if the given account or
agent wrote it: every changed file (both sides of a rename), every commit's
author, committer and trailers, the added lines (for credentials), binary
files. The change is what HEAD adds since its merge base with the base, as
in a pull request.

Who:
  --actor LOGIN        a GitHub account (add --actor-id N: logins such as
                       Copilot are shared, ids are not)
  --agent ID           an agent by its key in the policy, or a catalogue id

What:
  --base REF           default: origin/$GITHUB_BASE_REF, else origin/HEAD
  --head REF           default: HEAD
  --branch NAME        the change's branch; default: $GITHUB_HEAD_REF, else
                       the branch HEAD (or --head) is on
  --push               judge it as a push to --branch instead of a pull
                       request from it (a protected branch is then an incident)
  --repo OWNER/NAME    default: $GITHUB_REPOSITORY, else origin's URL
  --policy FILE        default: .agent-policy.yml as it is at the base commit
                       (never the change's own version); none: the built-in
                       rules in audit mode
  --baseline FILE      the org baseline (the .agent-policy.yml of the
                       organisation's .github repository) the policy may only
                       narrow; the merged policy judges, as in the app

Output:
  --format table|json|sarif   default table; sarif is SARIF 2.1.0
  --sarif FILE                also write SARIF to FILE (for code scanning)

Exit codes: 0 allow, 1 step-up, 2 deny, 3 error (bad arguments, git or the
policy unusable). In audit mode the exit code is 0 and the output says what
enforce mode would decide.
`;

export const checkCommand: CliCommand = {
  name: "check",
  summary: "judge a local git range as if an agent wrote it (exit 0 allow, 1 step-up, 2 deny, 3 error)",
  usage: USAGE,
  async run(args, io) {
    const usage = (message: string) => usageError(io, "check", message, ERROR);
    const parsed = parseOptions(args, {
      actor: { type: "string" },
      "actor-id": { type: "string" },
      agent: { type: "string" },
      base: { type: "string" },
      head: { type: "string" },
      branch: { type: "string" },
      push: { type: "boolean" },
      repo: { type: "string" },
      policy: { type: "string" },
      baseline: { type: "string" },
      format: { type: "string" },
      sarif: { type: "string" },
    });
    if (!parsed.ok) return usage(parsed.message);
    const { values } = parsed;
    if (parsed.positionals.length > 0) return usage(`unexpected argument '${parsed.positionals[0]}'`);
    const format = pickFormat(values.format, FORMATS, "table");
    if (typeof format === "object") return usage(format.error);
    if ((values.actor === undefined) === (values.agent === undefined)) return usage("give exactly one of --actor LOGIN or --agent ID");
    if (values["actor-id"] !== undefined && values.actor === undefined) return usage("--actor-id needs --actor");
    let acting: ActingAs;
    if (values.actor !== undefined) {
      const id = values["actor-id"];
      if (id !== undefined && !/^[1-9]\d{0,15}$/.test(id)) return usage(`--actor-id must be a GitHub account id (a number), not '${id}'`);
      acting = { actor: values.actor, ...(id !== undefined ? { actorId: Number(id) } : {}) };
    } else {
      acting = { agent: values.agent! };
    }

    try {
      const outcome = await judge(io, values, acting);
      if (typeof outcome === "string") return usage(outcome);
      if (values.sarif !== undefined) await writeFile(resolve(io.cwd, values.sarif), renderSarif(outcome));
      io.stdout(format === "json" ? renderJson(outcome) : format === "sarif" ? renderSarif(outcome) : renderTable(outcome, paint(io.isTty)));
      return outcome.exitCode;
    } catch (error) {
      if (!(error instanceof LocalFactsError)) throw error;
      io.stderr(`agent-policy check: ${inertLine(error.message)}\n`);
      return ERROR;
    }
  },
};

interface CheckValues {
  base?: string | undefined;
  head?: string | undefined;
  branch?: string | undefined;
  push?: boolean | undefined;
  repo?: string | undefined;
  policy?: string | undefined;
  baseline?: string | undefined;
}

/** The outcome, or a usage problem (a string) found while resolving defaults. Policy errors print here and give exit 3. */
async function judge(io: CliIo, values: CheckValues, acting: ActingAs): Promise<CheckOutcome | string> {
  const git = await gitIn(io.cwd);
  const head = values.head ?? "HEAD";
  const base = await resolveBase(git, values.base, io.env);
  if (typeof base === "object") return base.error;
  const branch = await resolveBranch(git, values.branch, head, io.env);
  if (typeof branch === "object") return branch.error;
  const repository = await resolveRepository(git, values.repo, io.env, base);
  if ("error" in repository) return repository.error;

  const baseSha = (await git.probe(["rev-parse", "--verify", "--quiet", "--end-of-options", `${base}^{commit}`]))?.trim();
  if (!baseSha) throw new LocalFactsError(`'${base}' does not name a commit in ${git.root}`);
  const own = await readLocalPolicy(git, { ...(values.policy !== undefined ? { file: values.policy } : {}), cwd: io.cwd, baseSha, baseName: base });
  const policy = values.baseline !== undefined && own.result.ok ? await underBaseline(io, own, values.baseline) : own;
  if (!policy.result.ok) {
    const issues = policy.result.issues.map((issue) => inertLine(formatPolicyIssue(issue))).join("\n");
    throw new LocalFactsError(`the policy does not validate, so nothing can be judged (the app's check fails closed the same way):\n${issues}`);
  }
  const kind = values.push ? "push" : "pull_request";
  const actors = actingActors(policy.result.policy, acting, kind === "push" ? "pusher" : "pr_author");
  if ("error" in actors) return actors.error;

  const { facts, mergeBase } = await gatherGitFacts(git, { base, head, branch, kind, actors, repository, policyPaths: policy.paths });
  const decision = evaluatePolicy(policy.result.policy, facts, { now: io.now?.() ?? new Date() });
  return {
    decision,
    policy,
    change: { kind, base, head, baseSha, headSha: facts.headSha, mergeBase, branch, commits: facts.commits.length, files: facts.files.length },
    exitCode: exitCodeFor(decision),
  };
}
