import { describe, expect, it } from "vitest";
import { mergeBaseline } from "../../src/policy/merge-baseline.js";
import type { PolicyInput } from "../../src/policy/schema.js";
import { devinFacts, evaluate, makePolicy, NOW, summarize } from "../engine/fixtures.js";

const devin = (extra: Record<string, unknown> = {}) => ({
  owner: "@acme/platform",
  match: { catalogue: ["devin"] },
  paths: { allow: ["src/**", "test/**"], deny: ["src/auth/**"] },
  branches: ["devin/**"],
  workflows: { allow: ["ci.yml", "lint.yml"] },
  environments: { allow: ["staging", "qa"], step_up: ["production"] },
  expires: "2026-12-31",
  ...extra,
});

const baselineWith = (rest: Omit<PolicyInput, "version"> = {}, agent: Record<string, unknown> = {}) =>
  makePolicy({ agents: { devin: devin(agent) } as PolicyInput["agents"], secret_files: ["config/prod/**"], protected_branches: ["release/**"], ...rest });

const repoWith = (rest: Omit<PolicyInput, "version"> = {}, agent: Record<string, unknown> = {}) =>
  makePolicy({ agents: { devin: devin(agent) } as PolicyInput["agents"], ...rest });

/**
 * Every way a repository policy could try to widen the floor: what it writes,
 * what the merged policy holds, and the key the widening is reported at.
 */
const WIDENINGS: {
  attempt: string;
  repo: ReturnType<typeof repoWith>;
  effective: (p: ReturnType<typeof mergeBaseline>["policy"]) => unknown;
  expected: unknown;
  key: string;
}[] = [
  { attempt: "mode: audit under enforce", repo: repoWith({ mode: "audit" }), effective: (p) => p.mode, expected: "enforce", key: "mode" },
  { attempt: "paths.allow beyond the baseline", repo: repoWith({}, { paths: { allow: ["**"], deny: [] } }), effective: (p) => p.agents.devin!.paths.allow, expected: ["src/**", "test/**"], key: "agents.devin.paths.allow.0" },
  { attempt: "paths.allow partly outside", repo: repoWith({}, { paths: { allow: ["src/**", "docs/**"], deny: [] } }), effective: (p) => p.agents.devin!.paths.allow, expected: ["src/**"], key: "agents.devin.paths.allow.1" },
  { attempt: "paths.deny dropped", repo: repoWith({}, { paths: { allow: ["src/**"], deny: [] } }), effective: (p) => p.agents.devin!.paths.deny, expected: ["src/auth/**"], key: "" },
  { attempt: "branches beyond", repo: repoWith({}, { branches: ["**"] }), effective: (p) => p.agents.devin!.branches, expected: ["devin/**"], key: "agents.devin.branches.0" },
  { attempt: "branches omitted (any)", repo: repoWith({}, { branches: undefined }), effective: (p) => p.agents.devin!.branches, expected: ["devin/**"], key: "" },
  { attempt: "workflows beyond", repo: repoWith({}, { workflows: { allow: ["ci.yml", "deploy.yml"] } }), effective: (p) => p.agents.devin!.workflows.allow, expected: ["ci.yml"], key: "agents.devin.workflows.allow.1" },
  { attempt: "environment the baseline holds for step-up", repo: repoWith({}, { environments: { allow: ["staging", "production"], step_up: [] } }), effective: (p) => p.agents.devin!.environments, expected: { allow: ["staging"], step_up: ["production"] }, key: "agents.devin.environments.allow.1" },
  { attempt: "later expiry", repo: repoWith({}, { expires: "2027-06-30" }), effective: (p) => p.agents.devin!.expires, expected: "2026-12-31", key: "agents.devin.expires" },
  { attempt: "no expiry", repo: repoWith({}, { expires: undefined }), effective: (p) => p.agents.devin!.expires, expected: "2026-12-31", key: "" },
  { attempt: "lifting a suspension", repo: repoWith({}, { suspended: false }), effective: (p) => p.agents.devin!.suspended, expected: true, key: "" },
  { attempt: "write access for a suggest-only agent", repo: repoWith({}, { access: "write" }), effective: (p) => p.agents.devin!.access, expected: "suggest", key: "" },
  { attempt: "another owner", repo: repoWith({}, { owner: "@mallory" }), effective: (p) => p.agents.devin!.owner, expected: "@acme/platform", key: "agents.devin.owner" },
  { attempt: "more identities", repo: repoWith({}, { match: { catalogue: ["devin", "jules"] } }), effective: (p) => p.agents.devin!.match, expected: { catalogue: ["devin"] }, key: "agents.devin.match" },
  { attempt: "repos beyond", repo: repoWith({}, { repos: { allow: ["*"] } }), effective: (p) => p.agents.devin!.repos, expected: { allow: ["widgets", "docs-*"], deny: ["secrets"] }, key: "agents.devin.repos.allow.0" },
  { attempt: "secret files dropped", repo: repoWith({ secret_files: [] }), effective: (p) => p.secret_files, expected: ["config/prod/**"], key: "" },
  { attempt: "protected branches dropped", repo: repoWith({ protected_branches: [] }), effective: (p) => p.protected_branches, expected: ["release/**"], key: "" },
  { attempt: "unscannable: step_up under deny", repo: repoWith({ unscannable: "step_up" }), effective: (p) => p.unscannable, expected: "deny", key: "" },
  { attempt: "longer grants", repo: repoWith({ grants: { max_duration: "7d" } }), effective: (p) => p.grants.max_duration, expected: "4h", key: "grants.max_duration" },
  { attempt: "more granters", repo: repoWith({ grants: { by: { users: ["mallory", "bob"] } } }), effective: (p) => p.grants.by.users, expected: ["bob"], key: "grants.by.users.0" },
  { attempt: "repos_may_declare_agents", repo: repoWith({ repos_may_declare_agents: true }), effective: (p) => p.repos_may_declare_agents, expected: false, key: "repos_may_declare_agents" },
];

describe("mergeBaseline: a repository policy can never widen the baseline", () => {
  const baseline = baselineWith(
    { mode: "enforce", unscannable: "deny", grants: { max_duration: "4h", by: { users: ["bob"] } }, step_up: [{ name: "deps", when: { paths: ["package.json"] }, approvers: { teams: ["acme/security"] } }] },
    { suspended: true, access: "suggest", repos: { allow: ["widgets", "docs-*"], deny: ["secrets"] } },
  );

  it.each(WIDENINGS)("$attempt", ({ repo, effective, expected, key }) => {
    const merged = mergeBaseline(baseline, repo);
    expect(effective(merged.policy)).toEqual(expected);
    const keys = merged.widenings.map((w) => w.keyPath.join("."));
    if (key) expect(keys).toContain(key);
    else expect(keys).toEqual([]);
  });

  it("keeps the baseline's step-up rules beside a repository rule of the same name", () => {
    const repo = repoWith({ step_up: [{ name: "deps", when: { paths: ["package.json"] }, approvers: { users: ["mallory"] } }] });
    const { policy } = mergeBaseline(baseline, repo);
    expect(policy.step_up.map((r) => [r.name, r.approvers.users, r.approvers.teams])).toEqual([
      ["deps", [], ["acme/security"]],
      ["deps (repository)", ["mallory"], []],
    ]);
  });
});

describe("mergeBaseline: a repository may narrow", () => {
  const baseline = baselineWith({ mode: "audit" });

  it("takes the narrower scopes, the earlier expiry and the stricter settings", () => {
    const repo = repoWith(
      { mode: "enforce", unscannable: "deny", secret_files: ["local/**"], governance_files: ["deploy/**"], protected_branches: ["stable"] },
      { paths: { allow: ["src/api/**"], deny: ["src/api/v1/**"] }, branches: ["devin/fix-*"], expires: "2026-08-01", suspended: true, access: "suggest", workflows: { allow: ["ci.yml"] }, environments: { allow: ["qa"], step_up: ["staging"] } },
    );
    const { policy, widenings } = mergeBaseline(baseline, repo);
    expect(widenings).toEqual([]);
    expect(policy).toMatchObject({
      mode: "enforce",
      unscannable: "deny",
      secret_files: ["config/prod/**", "local/**"],
      governance_files: ["deploy/**"],
      protected_branches: ["release/**", "stable"],
    });
    expect(policy.agents.devin).toMatchObject({
      paths: { allow: ["src/api/**"], deny: ["src/auth/**", "src/api/v1/**"] },
      branches: ["devin/fix-*"],
      expires: "2026-08-01",
      suspended: true,
      access: "suggest",
      workflows: { allow: ["ci.yml"] },
      environments: { allow: ["qa"], step_up: ["production", "staging"] },
    });
  });

  it("keeps the baseline as it is for a repository without a policy, and for a repository silent about an agent", () => {
    expect(mergeBaseline(baseline, undefined)).toEqual({ policy: baseline, widenings: [] });
    const { policy } = mergeBaseline(baseline, makePolicy({}));
    expect(policy.agents.devin).toEqual(baseline.agents.devin);
  });
});

describe("mergeBaseline: agents the baseline does not declare", () => {
  const jules = { owner: "@acme/web", match: { catalogue: ["jules"] }, paths: { allow: ["**"] } };

  it("confines a repository's own agent to no repository unless the baseline lets repositories declare agents", () => {
    const repo = makePolicy({ agents: { jules } as PolicyInput["agents"] });
    const closed = mergeBaseline(baselineWith(), repo);
    expect(closed.policy.agents.jules!.repos).toEqual({ allow: [], deny: [] });
    expect(closed.widenings.map((w) => w.keyPath.join("."))).toEqual(["agents.jules"]);

    const open = mergeBaseline(baselineWith({ repos_may_declare_agents: true }), repo);
    expect(open.policy.agents.jules).toEqual(repo.agents.jules);
    expect(open.widenings).toEqual([]);
  });

  it("refuses a repository agent that claims a baseline agent's identity, even when repositories may declare agents", () => {
    const repo = makePolicy({ agents: { mydevin: { owner: "@mallory", match: { catalogue: ["devin"] }, paths: { allow: ["**"] } } } as PolicyInput["agents"] });
    const { policy, widenings } = mergeBaseline(baselineWith({ repos_may_declare_agents: true }), repo);
    expect(policy.agents.mydevin!.repos).toEqual({ allow: [], deny: [] });
    expect(widenings[0]!.message).toContain("agents.devin");
  });
});

describe("the merged policy decides", () => {
  it("denies a repository's own agent the baseline did not allow (repo-scope), and the widened path (path-scope)", () => {
    const baseline = baselineWith();
    const repo = repoWith({}, { paths: { allow: ["**"], deny: [] } });
    const { policy } = mergeBaseline(baseline, repo);
    const decision = evaluate(policy, devinFacts({ headRef: "devin/x", paths: ["docs/a.md", "src/a.ts"] }), NOW);
    expect(summarize(decision)).toEqual(["path-scope deny docs/a.md devin"]);
  });

  it("a repository naming `**` for an agent gets the baseline's scope, not nothing", () => {
    const { policy } = mergeBaseline(baselineWith(), repoWith({}, { paths: { allow: ["**"], deny: [] } }));
    expect(summarize(evaluate(policy, devinFacts({ headRef: "devin/x", paths: ["src/a.ts"] }), NOW))).toEqual([]);
  });
});
