import { describe, expect, it } from "vitest";
import { applyApprovals } from "../../src/engine/apply-approvals.js";
import type { ParticipantFacts } from "../../src/engine/approval-types.js";
import { evaluateStepUps } from "../../src/engine/approvals.js";
import type { CommitFact } from "../../src/engine/types.js";
import { unlinkedParticipants } from "../../src/engine/unlinked-participants.js";
import { approvalPolicy, approvals, devinPr, HEAD, people, review } from "./approval-fixtures.js";
import { commit, evaluate, makeFacts } from "./fixtures.js";

/**
 * Whoever took part in a change cannot approve its step-up: the people who
 * pushed its commits and the accounts behind its co-authors' plain e-mails
 * too, as the shell resolved them. A participant it could not resolve might be
 * any approver, so each one raises the approvals needed by one.
 */

const { bob, carol, dave } = people;
const none: ParticipantFacts = { accounts: [], unresolved: [] };

function statusWith(participants: ParticipantFacts, reviews = [review(bob, "APPROVED", 1), review(carol, "APPROVED", 2)], count = 1) {
  const policy = approvalPolicy({ count });
  const facts = devinPr();
  const decision = evaluate(policy, facts);
  const statuses = evaluateStepUps(decision, facts, approvals(reviews, undefined, HEAD, participants), policy);
  return { status: statuses[0]!, after: applyApprovals(decision, statuses) };
}

describe("participants resolved through the API cannot approve", () => {
  it.each<[string, ParticipantFacts, string[], object[]]>([
    ["nobody else took part: both approvals count", none, ["bob", "carol"], []],
    ["bob pushed the commits", { accounts: [{ role: "pusher", identity: bob }], unresolved: [] }, ["carol"], [{ login: "bob", reason: "pusher" }]],
    ["carol is the account behind a co-author's plain e-mail", { accounts: [{ role: "co-author", identity: { login: "carol", id: 2002 } }], unresolved: [] }, ["bob"], [{ login: "carol", reason: "co-author" }]],
    ["a pusher is matched by id whatever the login's case", { accounts: [{ role: "pusher", identity: { login: "BOB", id: 2001 } }], unresolved: [] }, ["carol"], [{ login: "bob", reason: "pusher" }]],
    ["an unlinked commit author resolved to an account", { accounts: [{ role: "commit author", identity: { login: "carol", id: 2002 } }], unresolved: [] }, ["bob"], [{ login: "carol", reason: "commit author" }]],
  ])("%s", (_name, participants, approvedBy, ignored) => {
    const { status } = statusWith(participants);
    expect(status.approvedBy).toEqual(approvedBy);
    expect(status.ignored).toEqual(ignored);
    expect(status.satisfied).toBe(true);
  });

  it("a step-up its only approver pushed to stays pending", () => {
    const { after, status } = statusWith({ accounts: [{ role: "pusher", identity: bob }], unresolved: [] }, [review(bob, "APPROVED", 1)]);
    expect(status).toMatchObject({ satisfied: false, missing: 1, ignored: [{ login: "bob", reason: "pusher" }] });
    expect(status.eligible.users).toContain("carol");
    expect(status.eligible.users).not.toContain("Bob");
    expect(after.verdict).toBe("step_up");
  });
});

describe("each unresolved participant raises the approvals needed by one", () => {
  const unresolved = ["co-author Bobby <bobby@example.com> (no GitHub account is linked to this e-mail)"];

  it.each<[string, string[], number, "step_up" | "allow"]>([
    ["one unresolved participant, one approval: pending", unresolved, 1, "step_up"],
    ["one unresolved participant, two approvals: allowed", unresolved, 2, "allow"],
    ["two unresolved participants, two approvals: pending", [...unresolved, "who pushed to acme/fork:main (HTTP 404)"], 2, "step_up"],
    ["the same participant listed twice counts once", [...unresolved, ...unresolved], 2, "allow"],
  ])("%s", (_name, lines, approvalsGiven, verdict) => {
    const reviews = [review(bob, "APPROVED", 1), review(carol, "APPROVED", 2)].slice(0, approvalsGiven);
    const { status, after } = statusWith({ accounts: [], unresolved: lines }, reviews);
    expect(status.required).toBe(1 + new Set(lines).size);
    expect(status.unresolved).toEqual([...new Set(lines)].sort());
    expect(after.verdict).toBe(verdict);
  });

  it("adds to the policy's own count", () => {
    const reviews = [review(bob, "APPROVED", 1), review(carol, "APPROVED", 2), review(dave, "APPROVED", 3)];
    const { status } = statusWith({ accounts: [], unresolved }, reviews, 3);
    expect(status).toMatchObject({ required: 4, missing: 1, satisfied: false });
  });

  it("a status that claims satisfaction with fewer approvals than it requires lifts nothing", () => {
    const { status, after } = statusWith({ accounts: [], unresolved }, [review(bob, "APPROVED", 1)]);
    const forged = applyApprovals({ ...after, verdict: "step_up" }, [{ ...status, satisfied: true, missing: 0 }]);
    expect(forged.verdict).toBe("step_up");
  });
});

describe("unlinkedParticipants: who the shell must resolve", () => {
  const at = (message: string, extra: Partial<CommitFact> = {}) => commit({ author: { login: "alice", id: 1001, name: "Alice", email: "alice@example.com" }, committer: { login: "alice", id: 1001, name: "Alice", email: "alice@example.com" }, message, ...extra });

  it.each<[string, CommitFact[], string[]]>([
    ["a co-author with a plain e-mail", [at("x\n\nCo-authored-by: Bobby <Bobby@Example.com>")], ["co-author Bobby <bobby@example.com>"]],
    ["a co-author with a noreply address (it names the account)", [at("x\n\nCo-authored-by: Bob <2001+bob@users.noreply.github.com>")], []],
    ["Claude Code's co-author line (an assistant)", [at("x\n\nCo-authored-by: Claude <noreply@anthropic.com>")], []],
    ["a co-author line a declared agent's trailer pattern matches", [at("x\n\nCo-authored-by: Claude <claude@example.com>")], []],
    ["a co-author line without an e-mail", [at("x\n\nCo-authored-by: Bobby")], []],
    ["a co-author whose e-mail GitHub linked to an author of another commit", [at("x\n\nCo-authored-by: A <ALICE@example.com>")], []],
    ["the same e-mail in two commits, once", [at("x\n\nCo-authored-by: B <b@example.com>"), at("y\n\nCo-authored-by: Bee <b@example.com>")], ["co-author B <b@example.com>"]],
    ["a commit author GitHub linked to no account", [at("x", { author: { name: "Eve", email: "eve@example.com" } })], ["commit author Eve <eve@example.com>"]],
    ["GitHub's own committer", [at("x", { committer: { name: "GitHub", email: "noreply@github.com" } })], []],
    ["an aider commit (an assistant)", [at("x", { author: { name: "Eve (aider)", email: "eve@example.com" } })], []],
  ])("%s", (_name, commits, expected) => {
    const policy = approvalPolicy();
    policy.agents["claude-trailer"] = { ...policy.agents["claude-local"]!, match: { trailers: ["Co-authored-by: Claude*"] } };
    expect(unlinkedParticipants(policy, makeFacts({ commits })).map((p) => p.label)).toEqual(expected);
  });
});
