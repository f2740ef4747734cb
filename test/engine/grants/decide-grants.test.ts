import { describe, expect, it } from "vitest";
import { applyGrants } from "../../../src/engine/grants/apply-grants.js";
import { decideGrants, grantingTeams, type GrantComment, type GrantFacts } from "../../../src/engine/grants/decide-grants.js";
import { reviewerExclusions } from "../../../src/engine/reviewer-exclusions.js";
import type { Identity } from "../../../src/engine/types.js";
import { TRUE_POSITIVES } from "../secret-samples.js";
import { actor, commit, devinFacts, devinPolicy, evaluate, file, NOW, summarize, who } from "../fixtures.js";

const OWNER_TEAM = "acme/platform";
const bob: Identity = { login: "bob", id: 2002, type: "User" };
const carol: Identity = { login: "carol", id: 2003, type: "User" };
const dave: Identity = { login: "dave", id: 2004, type: "User" };

const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();
let nextId = 1;
function comment(author: Identity | null, body: string, minutesAgo = 10, extra: Partial<GrantComment> = {}): GrantComment {
  const time = at(minutesAgo);
  return { id: nextId++, author, createdAt: time, updatedAt: time, body, ...extra };
}

const policy = devinPolicy({}, { grants: { max_duration: "8h", by: { users: ["carol"], teams: ["acme/sre"] } } });
const facts = devinFacts({ paths: ["infra/main.tf"], commits: [commit()], actors: [actor("pr_author", who.devin)] });

function ledgerFacts(comments: GrantComment[], extra: Partial<GrantFacts> = {}): GrantFacts {
  return {
    comments,
    participation: reviewerExclusions(policy, facts, [{ role: "pusher", identity: dave }]),
    unresolved: [],
    teamMembers: { [OWNER_TEAM]: { status: "ok", members: ["bob"] }, "acme/sre": { status: "ok", members: [] } },
    ...extra,
  };
}

const GRANT = "/agent-policy grant devin paths:infra/** for 4h because OPS-1234";

describe("decideGrants: who may grant", () => {
  it("accepts a grant from an active member of the owner team, expiring at the comment's time plus the duration", () => {
    const c = comment(bob, GRANT, 30);
    const ledger = decideGrants(policy, ledgerFacts([c]), NOW);
    expect(ledger.outcomes).toEqual([
      {
        commentId: c.id,
        status: "granted",
        grant: { agent: "devin", scope: { paths: ["infra/**"], branches: [], workflows: [], environments: [] }, by: "bob", commentId: c.id, expires: "2026-06-15T15:30:00.000Z", reason: "OPS-1234" },
      },
    ]);
    expect(ledger.active.map((g) => g.by)).toEqual(["bob"]);
  });

  it("accepts a grant from a user listed in grants.by", () => {
    expect(decideGrants(policy, ledgerFacts([comment(carol, GRANT)]), NOW).active).toHaveLength(1);
  });

  it("accepts the owner user of a user-owned agent", () => {
    const owned = devinPolicy({ owner: "@bob" });
    const ledger = decideGrants(owned, { ...ledgerFacts([comment(bob, GRANT)]), teamMembers: {} }, NOW);
    expect(ledger.active).toHaveLength(1);
  });

  it("refuses someone who is neither the owner nor in grants.by", () => {
    const ledger = decideGrants(policy, ledgerFacts([comment({ login: "eve", id: 666, type: "User" }, GRANT)]), NOW);
    expect(ledger.active).toEqual([]);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", reason: "@eve may not grant scope for devin: only the agent's owner @acme/platform or someone in the policy's grants.by may." });
  });

  const refusals: [string, Identity | null, string][] = [
    ["a deleted account", null, "no longer has a GitHub account"],
    ["the agent itself", who.devin, "is an AI assistant"],
    ["another catalogue assistant", who.jules, "is an AI assistant"],
    ["a bot", { login: "renovate[bot]", id: 29139614, type: "Bot" }, "is a bot"],
    ["a bot account of type User by its login alone", { login: "helper[bot]", id: 5, type: "User" }, "is a bot"],
    ["the commit author (alice)", who.alice, "took part in this change (commit author)"],
    ["a pusher of the branch", dave, "took part in this change (pusher)"],
  ];
  it.each(refusals)("refuses %s", (_name, author, reason) => {
    const owners = policy.grants.by.users.concat(author?.login ?? []);
    const open = devinPolicy({}, { grants: { max_duration: "8h", by: { users: owners, teams: [] } } });
    const ledger = decideGrants(open, ledgerFacts([comment(author, GRANT)]), NOW);
    expect(ledger.active).toEqual([]);
    expect(ledger.outcomes).toEqual([expect.objectContaining({ status: "refused", reason: expect.stringContaining(reason) })]);
  });

  it("refuses the PR author even when listed in grants.by", () => {
    const humanPr = devinFacts({ actors: [actor("pr_author", carol)], commits: [commit()] });
    const ledger = decideGrants(policy, { ...ledgerFacts([comment(carol, GRANT)]), participation: reviewerExclusions(policy, humanPr) }, NOW);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("(PR author)") });
  });

  it("refuses a co-author named in a trailer by noreply e-mail", () => {
    const coAuthored = devinFacts({ commits: [commit({ message: "Fix\n\nCo-authored-by: Carol <2003+carol@users.noreply.github.com>" })] });
    const ledger = decideGrants(policy, { ...ledgerFacts([comment(carol, GRANT)]), participation: reviewerExclusions(policy, coAuthored) }, NOW);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("(co-author)") });
  });

  it("refuses everyone while a participant is unresolved, or when not every commit is listed", () => {
    expect(decideGrants(policy, ledgerFacts([comment(carol, GRANT)], { unresolved: ["co-author X <x@example.com>"] }), NOW).active).toEqual([]);
    const partial = devinFacts({ commits: [commit()], commitsComplete: false });
    const ledger = decideGrants(policy, { ...ledgerFacts([comment(carol, GRANT)]), participation: reviewerExclusions(policy, partial) }, NOW);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("commit authors unverifiable") });
  });

  it("refuses a member of a team whose members could not be read, and says so", () => {
    const ledger = decideGrants(policy, ledgerFacts([comment(bob, GRANT)], { teamMembers: { [OWNER_TEAM]: { status: "unavailable", reason: "403" } } }), NOW);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("the members of @acme/platform, @acme/sre could not be read") });
  });

  it("refuses an agent the policy does not declare, a suspended agent and an expired one", () => {
    const unknown = decideGrants(policy, ledgerFacts([comment(bob, "/agent-policy grant jules paths:** for 1h because x")]), NOW);
    expect(unknown.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("declares no agent named jules") });
    const suspended = decideGrants(devinPolicy({ suspended: true }), ledgerFacts([comment(bob, GRANT)]), NOW);
    expect(suspended.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("suspended") });
    const expired = decideGrants(devinPolicy({ expires: "2026-06-01" }), ledgerFacts([comment(bob, GRANT)]), NOW);
    expect(expired.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("expired") });
  });

  it("refuses every grant when the comments could not all be read", () => {
    const ledger = decideGrants(policy, ledgerFacts([comment(bob, GRANT)], { incomplete: "more than 1000 comments" }), NOW);
    expect(ledger.active).toEqual([]);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("more than 1000 comments") });
  });
});

describe("decideGrants: limits, edits, revocation and expiry", () => {
  it("refuses a duration over grants.max_duration, 99999d included, and uses 24h by default", () => {
    expect(decideGrants(policy, ledgerFacts([comment(bob, GRANT.replace("4h", "9h"))]), NOW).outcomes[0]).toMatchObject({ status: "refused", reason: expect.stringContaining("grants.max_duration: 8h") });
    expect(decideGrants(policy, ledgerFacts([comment(bob, GRANT.replace("4h", "99999d"))]), NOW).active).toEqual([]);
    const byDefault = devinPolicy();
    expect(decideGrants(byDefault, ledgerFacts([comment(bob, GRANT.replace("4h", "24h"))]), NOW).active).toHaveLength(1);
    expect(decideGrants(byDefault, ledgerFacts([comment(bob, GRANT.replace("4h", "1441m"))]), NOW).active).toEqual([]);
  });

  it("ignores an edited comment entirely: editing an old grant widens nothing", () => {
    const edited = comment(bob, GRANT.replace("infra/**", "**"), 60, { updatedAt: at(5) });
    const ledger = decideGrants(policy, ledgerFacts([edited]), NOW);
    expect(ledger).toEqual({ outcomes: [], active: [], ended: [] });
  });

  it("ends a grant at its expiry, to the millisecond", () => {
    const c = comment(bob, GRANT.replace("4h", "30m"), 30);
    expect(decideGrants(policy, ledgerFacts([c]), new Date(NOW.getTime() - 1)).active).toHaveLength(1);
    const after = decideGrants(policy, ledgerFacts([c]), NOW);
    expect(after.active).toEqual([]);
    expect(after.ended).toEqual([{ grant: expect.objectContaining({ commentId: c.id }), why: "expired" }]);
  });

  it("ends the agent's grants at a later revoke, and a grant after the revoke counts again", () => {
    const first = comment(bob, GRANT, 50);
    const revoke = comment(carol, "/agent-policy revoke devin", 40);
    const again = comment(bob, GRANT.replace("infra/**", "ops/**"), 30);
    const ledger = decideGrants(policy, ledgerFacts([again, revoke, first]), NOW);
    expect(ledger.outcomes.map((o) => o.status)).toEqual(["granted", "revoked", "granted"]);
    expect(ledger.outcomes[1]).toMatchObject({ ended: [expect.objectContaining({ commentId: first.id })] });
    expect(ledger.active.map((g) => g.scope.paths)).toEqual([["ops/**"]]);
  });

  it("lets a participant revoke (it only narrows), but never someone without authority", () => {
    const grant = comment(bob, GRANT, 50);
    const byPusher = comment(dave, "/agent-policy revoke devin", 40);
    const open = devinPolicy({}, { grants: { max_duration: "8h", by: { users: ["dave"], teams: [] } } });
    expect(decideGrants(open, ledgerFacts([grant, byPusher]), NOW).active).toEqual([]);
    const byStranger = comment({ login: "eve", id: 666, type: "User" }, "/agent-policy revoke devin", 40);
    expect(decideGrants(policy, ledgerFacts([grant, byStranger]), NOW).active).toHaveLength(1);
  });

  it("ends grants made before the pull request was last closed", () => {
    const before = comment(bob, GRANT, 50);
    const after = comment(bob, GRANT.replace("infra/**", "ops/**"), 10);
    const ledger = decideGrants(policy, ledgerFacts([before, after], { closedAt: at(20) }), NOW);
    expect(ledger.active.map((g) => g.commentId)).toEqual([after.id]);
    expect(ledger.ended).toEqual([{ grant: expect.objectContaining({ commentId: before.id }), why: "pull request closed" }]);
  });

  it("answers a look-alike command with a refusal", () => {
    const ledger = decideGrants(policy, ledgerFacts([comment(bob, GRANT.replace("/agent", "/\u0430gent"))]), NOW);
    expect(ledger.outcomes[0]).toMatchObject({ status: "refused", command: "invalid", reason: expect.stringContaining("plain ASCII") });
  });

  it("names the teams whose members may grant", () => {
    expect(grantingTeams(policy, ["devin", "nobody"])).toEqual(["acme/platform", "acme/sre"]);
  });
});

describe("applyGrants: a grant widens scope rules only", () => {
  const grant = (scope: Partial<Record<"paths" | "branches" | "workflows" | "environments", string[]>>) => ({
    agent: "devin",
    scope: { paths: [], branches: [], workflows: [], environments: [], ...scope },
    by: "bob",
    commentId: 1,
    expires: "2026-06-15T16:00:00.000Z",
    reason: "x",
  });

  it("lifts path-scope for the granted paths", () => {
    expect(summarize(evaluate(policy, facts))).toEqual(["path-scope deny infra/main.tf devin"]);
    expect(evaluate(applyGrants(policy, [grant({ paths: ["infra/**"] })]), facts).verdict).toBe("allow");
  });

  it("lifts branch-scope for the granted branches", () => {
    const limited = devinPolicy({ branches: ["devin/**"] });
    const onOps = devinFacts({ headRef: "ops/fix" });
    expect(summarize(evaluate(limited, onOps))).toEqual(["branch-scope deny ops/fix devin"]);
    expect(evaluate(applyGrants(limited, [grant({ branches: ["ops/*"] })]), onOps).verdict).toBe("allow");
  });

  it("never lifts paths.deny, secret-file, secret-content, policy-self-edit or too-large-to-verify", () => {
    const everything = applyGrants(policy, [grant({ paths: ["**"] })]);
    const hard = devinFacts({
      files: [file("src/auth/login.ts"), file(".env"), file(".agent-policy.yml"), file("src/key.ts", { patch: `@@ -0,0 +1 @@\n+${TRUE_POSITIVES[0]!.line}` })],
      changedFiles: 3001,
    });
    const ids = new Set(evaluate(everything, hard).findings.map((f) => f.ruleId));
    for (const id of ["path-scope", "secret-file", "secret-content", "policy-self-edit", "too-large-to-verify"]) expect(ids).toContain(id);
  });

  it("never lifts a suspension or an expiry, and never satisfies a step-up", () => {
    expect(summarize(evaluate(applyGrants(devinPolicy({ suspended: true }), [grant({ paths: ["**"] })]), facts))).toContain("agent-suspended deny devin devin");
    expect(summarize(evaluate(applyGrants(devinPolicy({ expires: "2026-06-01" }), [grant({ paths: ["**"] })]), facts))).toContain("agent-expired deny devin devin");
    const withStepUp = devinPolicy({}, { step_up: [{ name: "infra", when: { paths: ["infra/**"] }, approvers: { users: ["bob"] } }] });
    const decision = evaluate(applyGrants(withStepUp, [grant({ paths: ["infra/**"] })]), facts);
    expect(decision.verdict).toBe("step_up");
    expect(summarize(decision)).toEqual(["step-up step_up infra/main.tf devin"]);
  });

  it("widens workflows.allow and environments.allow, never environments.step_up", () => {
    const widened = applyGrants(devinPolicy({ environments: { step_up: ["production"] } }), [grant({ workflows: ["deploy.yml"], environments: ["production", "qa"] })]);
    expect(widened.agents.devin!.workflows.allow).toEqual(["deploy.yml"]);
    expect(widened.agents.devin!.environments).toEqual({ allow: ["production", "qa"], step_up: ["production"] });
  });

  it("leaves an agent without a branch limit unlimited, other agents and the original policy untouched", () => {
    const widened = applyGrants(policy, [grant({ branches: ["ops/*"], paths: ["infra/**"] })]);
    expect(widened.agents.devin!.branches).toBeUndefined();
    expect(policy.agents.devin!.paths.allow).toEqual(["src/**", "test/**"]);
    expect(applyGrants(policy, [{ ...grant({ paths: ["**"] }), agent: "ghost" }]).agents).toEqual(policy.agents);
  });
});
