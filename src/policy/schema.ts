import { z } from "zod";
import { CATALOGUE } from "../engine/catalogue.js";
import { checkGlob } from "../engine/glob.js";
import { LONGEST_GRANT_MS, parseDuration } from "../engine/grants/duration.js";

/**
 * The `.agent-policy.yml` schema: the single source of truth for the policy
 * language. The parser validates with it, the engine consumes its output type,
 * and `policy.schema.json` is generated from it (a test fails when they drift).
 */

export const POLICY_FILE = ".agent-policy.yml";

/*
 * Messages given to zod here are predicates ("must …"): the parser prefixes
 * them with the key path, e.g. `agents.copilot.owner must be …`.
 */

/** A value quoted for a message, shortened so a hostile 10 000-character value cannot flood it. */
function quoteShort(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

const glob = z
  .string()
  .superRefine((value, ctx) => {
    const problem = checkGlob(value);
    if (problem) ctx.addIssue({ code: "custom", message: `is not a usable glob (${problem}): ${quoteShort(value)}` });
  })
  .describe("A glob: `*` matches within a path segment, `**` across segments; dot-files are included.");

const globList = z.array(glob).max(500);

const agentName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be an agent name: lower-case letters, digits, '-' and '_', at most 63 characters");

/**
 * A user `@alice` or a team `@org/team`. A team slug starts with a letter or
 * digit: `@acme/..` would reach the API as `/orgs/acme/teams/../members`,
 * which URL normalisation turns into the organisation's member list.
 */
const owner = z
  .string()
  .regex(
    /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$/,
    "must be a GitHub user (@alice) or team (@org/team)",
  )
  .describe("The accountable human or team: a GitHub user `@alice` or team `@org/team`.");

/**
 * `YYYY-MM-DD` (valid through the end of that day, UTC) or an ISO 8601 date-time with offset.
 * zod's iso formats reject impossible dates (2026-02-30, 2025-02-29); the message says so.
 */
const expires = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: (issue) =>
      typeof issue.input === "string" && /^\d{4}-\d{2}-\d{2}(?:$|T)/.test(issue.input) && !isCalendarDate(issue.input.slice(0, 10))
        ? `is not a real calendar date: ${quoteShort(issue.input)}`
        : "must be a date (YYYY-MM-DD, e.g. 2026-12-31) or an ISO 8601 date-time with a time zone (2026-12-31T18:00:00Z)",
  })
  .describe("End of the grant: YYYY-MM-DD (valid through that day, UTC) or an ISO 8601 date-time.");

function isCalendarDate(yyyyMmDd: string): boolean {
  const [year, month, day] = yyyyMmDd.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "must be a GitHub login, e.g. octocat or my-app[bot]");
const teamSlug = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be a team written org/team-slug (no @)");

/**
 * Deliberately looser than zod's e-mail check, which refuses the `[bot]` in
 * GitHub App noreply addresses (`158243242+devin-ai-integration[bot]@users.noreply.github.com`).
 */
const email = z
  .string()
  .max(254)
  .regex(/^[^\s@<>]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/, "must be an e-mail address, e.g. 158243242+devin-ai-integration[bot]@users.noreply.github.com");

/** Logins that do not name one assistant: matching them without an id would catch someone else. */
const SHARED_LOGINS: Record<string, string> = {
  copilot: "that login is shared by the Copilot coding agent (id 198982749) and the Copilot reviewer (id 175728472)",
  claude: "the account \"claude\" (id 81847) is a person, not the Claude app (claude[bot])",
};

const agentMatch = z
  .strictObject({
    catalogue: z
      .array(z.enum(CATALOGUE.map((entry) => entry.id) as [string, ...string[]], { error: (issue) => `must be a catalogue id (${CATALOGUE.map((e) => e.id).join(", ")}), not ${JSON.stringify(issue.input)}` }))
      .max(50)
      .optional()
      .describe("Ids of built-in catalogue assistants (see README) whose known identities this agent covers."),
    ids: z.array(z.number().int().positive()).max(100).optional().describe("Numeric GitHub account ids."),
    logins: z.array(login).max(100).optional().describe("GitHub logins, e.g. `devin-ai-integration[bot]`."),
    emails: z.array(email).max(100).optional().describe("Commit author/committer e-mail addresses."),
    trailers: z
      .array(z.string().min(3).max(200))
      .max(50)
      .optional()
      .describe("Commit-message trailer lines, `*` as wildcard, case-insensitive, e.g. `Co-authored-by: Acme Helper*`. Evidence that the agent took part; never makes it a catalogue assistant whose lines it also matches (use `catalogue`)."),
  })
  .refine((m) => Object.values(m).some((list) => Array.isArray(list) && list.length > 0), {
    message: "must name at least one of catalogue, ids, logins, emails or trailers",
  })
  .superRefine((m, ctx) => {
    if (m.ids?.length) return;
    (m.logins ?? []).forEach((value, index) => {
      const shared = SHARED_LOGINS[value.toLowerCase()];
      if (shared) ctx.addIssue({ code: "custom", path: ["logins", index], message: `names "${value}" without ids, but ${shared}; list match.ids or use match.catalogue` });
    });
  });

/** Repository names (without the owner) an agent may act in; `*` and `?` as in paths, case ignored. */
const repoGlobList = z.array(glob).max(500);

const agent = z
  .strictObject({
    owner,
    description: z.string().max(500).optional(),
    match: agentMatch,
    expires: expires.optional(),
    suspended: z.boolean().default(false).describe("Revocation switch: true denies all of this agent's activity."),
    access: z
      .enum(["write", "suggest"])
      .default("write")
      .describe("write: the agent may commit, push and open pull requests within its scope; suggest: it may comment and review only, and any write is denied."),
    repos: z
      .strictObject({
        allow: repoGlobList.optional().describe("Repository names (globs, case ignored) the agent may act in. Omitted: every repository."),
        deny: repoGlobList.default([]).describe("Repository names the agent may never act in, even when allowed above."),
      })
      .optional()
      .describe("Repositories of the organisation the agent may act in; meant for the org baseline. Omitted: every repository."),
    branches: globList.optional().describe("Head branches the agent may work on. Omitted: any branch."),
    paths: z
      .strictObject({
        allow: globList.default([]).describe("Paths the agent may change. Omitted or empty: none."),
        deny: globList.default([]).describe("Paths the agent may never change, even when allowed above."),
      })
      .default({ allow: [], deny: [] }),
    workflows: z
      .strictObject({ allow: globList.default([]).describe("Workflow files (e.g. `ci.yml`) the agent may trigger.") })
      .default({ allow: [] }),
    environments: z
      .strictObject({
        allow: z.array(z.string().min(1).max(255)).max(100).default([]),
        step_up: z.array(z.string().min(1).max(255)).max(100).default([]),
      })
      .default({ allow: [], step_up: [] }),
  })
  .describe("An AI assistant governed as a non-human identity.");

const stepUpRule = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be lower-case letters, digits, '-' and '_', at most 63 characters"),
  when: z.strictObject({ paths: globList.min(1, "must list at least one glob") }),
  approvers: z
    .strictObject({
      users: z.array(login).max(100).default([]),
      teams: z.array(teamSlug).max(100).default([]),
    })
    .refine((a) => a.users.length + a.teams.length > 0, {
      message: "must list at least one user or team",
    }),
  count: z.number().int().min(1).max(10).default(1),
});

const grantDuration = z
  .string()
  .regex(/^[1-9][0-9]{0,5}[mhd]$/, "must be a duration: a whole number of minutes, hours or days, such as 30m, 4h or 2d")
  .refine((value) => (parseDuration(value) ?? 0) <= LONGEST_GRANT_MS, { message: "must be at most 30d" });

const grants = z
  .strictObject({
    max_duration: grantDuration.default("24h").describe("The longest a task-scoped grant may last (at most 30d)."),
    by: z
      .strictObject({
        users: z.array(login).max(100).default([]),
        teams: z.array(teamSlug).max(20).default([]),
      })
      .default({ users: [], teams: [] })
      .describe("Who may grant scope besides each agent's owner: users and teams (org/team-slug)."),
  })
  .describe("Task-scoped grants: `/agent-policy grant <agent> paths:<glob> for 4h because <reason>` in a pull request comment.");

export const policySchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    mode: z.enum(["enforce", "audit"]).default("enforce"),
    agents: z.record(agentName, agent).default({}),
    protected_branches: globList.default([]).describe("Branches no agent may push to or merge into (the default branch always is)."),
    secret_files: globList.default([]).describe("Extra secret-file globs, added to the built-in list."),
    governance_files: globList.default([]).describe("Extra governance-file globs (step-up), added to the built-in list."),
    step_up: z.array(stepUpRule).max(100).default([]),
    repos_may_declare_agents: z
      .boolean()
      .default(false)
      .describe("In the org baseline: whether a repository policy may declare agents the baseline does not. Read only from the baseline."),
    unscannable: z
      .enum(["step_up", "deny"])
      .default("step_up")
      .describe(
        "What an assistant's change gets when a changed file could not be scanned for credentials (binary, or a diff GitHub does not give): step_up (the agent's owner approves) or deny.",
      ),
    grants: grants.default({ max_duration: "24h", by: { users: [], teams: [] } }),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.step_up.forEach((rule, index) => {
      if (seen.has(rule.name))
        ctx.addIssue({
          code: "custom",
          path: ["step_up", index, "name"],
          message: `repeats the step-up name "${rule.name}"; names must be unique`,
        });
      seen.add(rule.name);
    });
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type AgentPolicy = Policy["agents"][string];
export type StepUpRule = Policy["step_up"][number];
export type PolicyMode = Policy["mode"];

/** The built-in policy used when neither the repository nor the org has one: audit mode, no declared agents. */
export function builtInPolicy(): Policy {
  return policySchema.parse({ version: 1, mode: "audit" });
}
