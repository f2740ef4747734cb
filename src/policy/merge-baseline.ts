import { grantEndsAt } from "../engine/expiry.js";
import { parseDuration } from "../engine/grants/duration.js";
import { intersectGlobs, type GlobNarrowing } from "./intersect-globs.js";
import type { KeyPathProblem } from "./place-issues.js";
import type { AgentPolicy, Policy, StepUpRule } from "./schema.js";

/** The policy in force for one repository, and every place its own policy tried to go below the org's floor. */
export interface MergedPolicy {
  policy: Policy;
  /** Keys of the repository policy that would widen the baseline; the baseline's value applies instead. */
  widenings: KeyPathProblem[];
}

/**
 * Applies the org baseline as a floor under a repository's policy. Pure: the
 * same two policies always give the same result. A repository may only
 * narrow: scopes (paths, branches, workflows, environments, repositories) are
 * intersected; deny lists, secret and governance files, protected branches
 * and step-up rules are unioned; `enforce`, a suspension, an earlier expiry,
 * suggest-only access and `unscannable: deny` survive; the baseline's owner
 * and identities stay. An agent the baseline does not declare is confined to
 * no repository unless the baseline sets `repos_may_declare_agents`.
 */
export function mergeBaseline(baseline: Policy, repo: Policy | undefined): MergedPolicy {
  if (!repo) return { policy: baseline, widenings: [] };
  let byRepo = merges.get(baseline);
  if (!byRepo) merges.set(baseline, (byRepo = new WeakMap()));
  let merged = byRepo.get(repo);
  if (!merged) byRepo.set(repo, (merged = merge(baseline, repo)));
  return merged;
}

// The merge of each pair of parsed policies, kept while both are: the parses are cached by blob SHA, so
// every event under the same two files gets the same merged policy object, and what the engine compiles
// once per policy (glob sets, agent matchers) is compiled once for it instead of once per event.
const merges = new WeakMap<Policy, WeakMap<Policy, MergedPolicy>>();

function merge(baseline: Policy, repo: Policy): MergedPolicy {
  const widenings: KeyPathProblem[] = [];
  const widen = (keyPath: (string | number)[], message: string) => widenings.push({ keyPath, message });

  if (repo.mode === "audit" && baseline.mode === "enforce") widen(["mode"], "mode: audit would relax the org baseline's mode: enforce; enforce applies");
  if (repo.repos_may_declare_agents && !baseline.repos_may_declare_agents) {
    widen(["repos_may_declare_agents"], "repos_may_declare_agents is read only from the org baseline, which does not let repositories declare agents");
  }

  const agents: Record<string, AgentPolicy> = {};
  for (const [key, agent] of Object.entries(baseline.agents)) {
    const own = Object.hasOwn(repo.agents, key) ? repo.agents[key] : undefined;
    agents[key] = own ? mergeAgent(key, agent, own, widen) : agent;
  }
  for (const [key, agent] of Object.entries(repo.agents)) {
    if (Object.hasOwn(baseline.agents, key)) continue;
    const clash = baseline.repos_may_declare_agents ? sharedIdentity(agent, baseline) : undefined;
    if (baseline.repos_may_declare_agents && !clash) {
      agents[key] = agent;
      continue;
    }
    widen(
      ["agents", key],
      clash
        ? `agents.${key} claims ${clash.identity}, which the org baseline gives to agents.${clash.key}; ${key} may act in no repository`
        : `agents.${key} is not declared in the org baseline, which does not let repositories declare agents; ${key} may act in no repository`,
    );
    agents[key] = { ...agent, repos: { allow: [], deny: [] } };
  }

  return {
    policy: {
      version: 1,
      mode: baseline.mode === "enforce" ? "enforce" : repo.mode,
      agents,
      protected_branches: union(baseline.protected_branches, repo.protected_branches),
      secret_files: union(baseline.secret_files, repo.secret_files),
      governance_files: union(baseline.governance_files, repo.governance_files),
      step_up: unionStepUps(baseline.step_up, repo.step_up),
      repos_may_declare_agents: baseline.repos_may_declare_agents,
      grants: mergeGrants(baseline.grants, repo.grants, widen),
      unscannable: baseline.unscannable === "deny" || repo.unscannable === "deny" ? "deny" : "step_up",
    },
    widenings,
  };
}

type Widen = (keyPath: (string | number)[], message: string) => void;

/**
 * Grants: the shorter longest duration, and only granters both name (a
 * repository cannot add people who may widen an agent's scope). The default
 * duration cannot be told from a written one, so only another value is
 * reported.
 */
function mergeGrants(base: Policy["grants"], own: Policy["grants"], widen: Widen): Policy["grants"] {
  const length = (d: string) => parseDuration(d) ?? 0;
  if (length(own.max_duration) > length(base.max_duration) && own.max_duration !== "24h") {
    widen(["grants", "max_duration"], `grants.max_duration ${own.max_duration} is longer than the org baseline's ${base.max_duration}; the shorter applies`);
  }
  const both = (kind: "users" | "teams") => {
    const known = new Set(base.by[kind].map((v) => v.toLowerCase()));
    own.by[kind].forEach((value, index) => {
      if (!known.has(value.toLowerCase())) widen(["grants", "by", kind, index], `grants.by.${kind} names ${value}, whom the org baseline does not let grant scope; only the baseline's granters and each agent's owner may`);
    });
    return own.by[kind].filter((value) => known.has(value.toLowerCase()));
  };
  return {
    max_duration: length(own.max_duration) < length(base.max_duration) ? own.max_duration : base.max_duration,
    by: { users: both("users"), teams: both("teams") },
  };
}

function mergeAgent(key: string, base: AgentPolicy, own: AgentPolicy, widen: Widen): AgentPolicy {
  const at = (...rest: (string | number)[]) => ["agents", key, ...rest];
  if (own.owner !== base.owner) widen(at("owner"), `agents.${key}.owner ${own.owner} would replace the org baseline's ${base.owner}; ${base.owner} stays accountable`);
  const added = addedIdentities(own.match, base.match);
  if (added.length > 0) widen(at("match"), `agents.${key}.match adds ${added.join(", ")}, which the org baseline does not give ${key}; the baseline's identities apply`);

  let expires = base.expires;
  if (own.expires !== undefined) {
    if (base.expires === undefined || grantEndsAt(own.expires) < grantEndsAt(base.expires)) expires = own.expires;
    else if (grantEndsAt(own.expires) > grantEndsAt(base.expires)) {
      widen(at("expires"), `agents.${key}.expires ${own.expires} is later than the org baseline's ${base.expires}; the earlier date applies`);
    }
  }

  const report = (where: (string | number)[]) => (n: GlobNarrowing) =>
    widen([...where, n.index], `${[...where.map(String)].join(".")}[${n.index}] ${JSON.stringify(n.glob)} reaches beyond the org baseline${n.example ? ` (e.g. ${JSON.stringify(n.example)})` : ""}; only what the baseline allows applies`);

  const branches = optionalIntersect(base.branches, own.branches, report(at("branches")));
  const repos = mergeRepos(base.repos, own.repos, report(at("repos", "allow")));
  const merged: AgentPolicy = {
    owner: base.owner,
    ...(base.description !== undefined ? { description: base.description } : {}),
    match: base.match,
    ...(expires !== undefined ? { expires } : {}),
    suspended: base.suspended || own.suspended,
    access: base.access === "suggest" || own.access === "suggest" ? "suggest" : "write",
    ...(branches !== undefined ? { branches } : {}),
    ...(repos !== undefined ? { repos } : {}),
    paths: {
      allow: intersectGlobs(base.paths.allow, own.paths.allow, report(at("paths", "allow"))),
      deny: union(base.paths.deny, own.paths.deny),
    },
    workflows: { allow: intersectGlobs(base.workflows.allow, own.workflows.allow, report(at("workflows", "allow"))) },
    environments: {
      allow: intersectNames(base.environments.allow, own.environments.allow, (index, name) =>
        widen(at("environments", "allow", index), `agents.${key}.environments.allow names ${JSON.stringify(name)}, which the org baseline does not allow ${key}; it stays out of reach`),
      ),
      step_up: union(base.environments.step_up, own.environments.step_up),
    },
  };
  return merged;
}

/** An omitted list means "any"; both given: their intersection. */
function optionalIntersect(base: readonly string[] | undefined, own: readonly string[] | undefined, report: (n: GlobNarrowing) => void): string[] | undefined {
  if (own === undefined) return base === undefined ? undefined : [...base];
  if (base === undefined) return [...own];
  return intersectGlobs(base, own, report);
}

function mergeRepos(base: AgentPolicy["repos"], own: AgentPolicy["repos"], report: (n: GlobNarrowing) => void): AgentPolicy["repos"] {
  if (!base) return own;
  if (!own) return base;
  const allow = optionalIntersect(base.allow, own.allow, report);
  return { ...(allow !== undefined ? { allow } : {}), deny: union(base.deny, own.deny) };
}

/** Environment names both lists hold (GitHub compares environment names without case). */
function intersectNames(base: readonly string[], own: readonly string[], report: (index: number, name: string) => void): string[] {
  const known = new Set(base.map((name) => name.toLowerCase()));
  return own.filter((name, index) => {
    if (known.has(name.toLowerCase())) return true;
    report(index, name);
    return false;
  });
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** Both sets of step-up rules apply; a repository rule named like a baseline rule is kept beside it, never instead of it. */
function unionStepUps(base: readonly StepUpRule[], own: readonly StepUpRule[]): StepUpRule[] {
  const names = new Set(base.map((rule) => rule.name));
  const same = (a: StepUpRule, b: StepUpRule) => JSON.stringify(a) === JSON.stringify(b);
  const extra = own
    .filter((rule) => !base.some((b) => same(b, rule)))
    .map((rule) => (names.has(rule.name) ? { ...rule, name: `${rule.name} (repository)` } : rule));
  return [...base, ...extra];
}

type Match = AgentPolicy["match"];
const MATCH_KEYS = ["catalogue", "ids", "logins", "emails", "trailers"] as const;

function identitiesOf(match: Match): string[] {
  return MATCH_KEYS.flatMap((k) => (match[k] ?? []).map((value: string | number) => `${k} ${String(value).toLowerCase()}`));
}

function addedIdentities(own: Match, base: Match): string[] {
  const known = new Set(identitiesOf(base));
  return identitiesOf(own).filter((identity) => !known.has(identity));
}

/** An identity (`ids 198982749`) a repository agent claims that a baseline agent has, and that agent's key. */
function sharedIdentity(agent: AgentPolicy, baseline: Policy): { identity: string; key: string } | undefined {
  const mine = new Set(identitiesOf(agent.match));
  for (const [key, other] of Object.entries(baseline.agents)) {
    const identity = identitiesOf(other.match).find((candidate) => mine.has(candidate));
    if (identity) return { identity, key };
  }
  return undefined;
}
