import { describe, expect, it } from "vitest";
import { evaluateStepUps, standingReviews, type ApprovalFacts, type StepUpStatus } from "../../src/engine/approvals.js";
import type { ChangeFacts } from "../../src/engine/types.js";
import type { Policy } from "../../src/policy/schema.js";
import { approvalPolicy, approvals, claudeAssistedPr, devinPr, HEAD, OLD, people, review, SECURITY_OK } from "./approval-fixtures.js";
import { commit, evaluate, who } from "./fixtures.js";

const { bob, carol, dave, eve } = people;

function statusFor(facts: ChangeFacts, facts2: ApprovalFacts, policy: Policy = approvalPolicy()): StepUpStatus {
  const decision = evaluate(policy, facts);
  expect(decision.verdict).toBe(facts.commitsComplete ? "step_up" : "deny");
  expect(decision.stepUps.map((s) => s.name)).toEqual(["deps"]);
  const [status] = evaluateStepUps(decision, facts, facts2, policy);
  return status!;
}

type Expect = Partial<Pick<StepUpStatus, "approvedBy" | "changesRequestedBy" | "ignored" | "teamErrors" | "missing">> & { satisfied: boolean };

const cases: [string, ChangeFacts, ApprovalFacts, Expect, Policy?][] = [
  ["approval at head counts", devinPr(), approvals([review(bob, "APPROVED", 1)]), { satisfied: true, approvedBy: ["bob"], missing: 0, ignored: [] }],
  ["approval at an older commit does not count", devinPr(), approvals([review(bob, "APPROVED", 1, OLD)]),
    { satisfied: false, approvedBy: [], missing: 1, ignored: [{ login: "bob", reason: "approved an older commit" }] }],
  ["a dismissed approval stops counting", devinPr(), approvals([review(bob, "DISMISSED", 1)]),
    { satisfied: false, ignored: [{ login: "bob", reason: "review dismissed" }] }],
  ["approve then dismissed (later) stops counting", devinPr(), approvals([review(bob, "APPROVED", 1), review(bob, "DISMISSED", 2)]),
    { satisfied: false, approvedBy: [] }],
  ["approve then changes requested: pending, even with another approval", devinPr(),
    approvals([review(bob, "APPROVED", 1), review(bob, "CHANGES_REQUESTED", 2), review(carol, "APPROVED", 3)]),
    { satisfied: false, approvedBy: ["carol"], changesRequestedBy: ["bob"], missing: 0 }],
  ["changes requested then approve counts", devinPr(), approvals([review(bob, "CHANGES_REQUESTED", 1), review(bob, "APPROVED", 2)]),
    { satisfied: true, approvedBy: ["bob"], changesRequestedBy: [] }],
  ["changes requested at an older commit still blocks", devinPr(),
    approvals([review(bob, "CHANGES_REQUESTED", 1, OLD), review(carol, "APPROVED", 2)]), { satisfied: false, changesRequestedBy: ["bob"] }],
  ["a dismissed change request no longer blocks", devinPr(),
    approvals([review(bob, "DISMISSED", 1), review(carol, "APPROVED", 2)]), { satisfied: true, approvedBy: ["carol"] }],
  ["a comment after an approval changes nothing", devinPr(), approvals([review(bob, "APPROVED", 1), review(bob, "COMMENTED", 2), review(bob, "PENDING", 3)]),
    { satisfied: true, approvedBy: ["bob"] }],
  ["same time: the higher review id is later", devinPr(), approvals([review(bob, "APPROVED", 1, HEAD, 20), review(bob, "CHANGES_REQUESTED", 1, HEAD, 10)]),
    { satisfied: true, approvedBy: ["bob"] }],
  ["the same person twice counts once", devinPr(), approvals([review(bob, "APPROVED", 1), review({ ...bob, login: "BOB" }, "APPROVED", 2)]),
    { satisfied: false, missing: 1 }, approvalPolicy({ count: 2 })],
  ["count 2 needs two distinct people", devinPr(), approvals([review(bob, "APPROVED", 1), review(carol, "APPROVED", 2)]),
    { satisfied: true, approvedBy: ["bob", "carol"], missing: 0 }, approvalPolicy({ count: 2 })],
  ["listed users match case-insensitively", devinPr(), approvals([review({ ...bob, login: "BoB" }, "APPROVED", 1)]),
    { satisfied: true, approvedBy: ["BoB"] }],
  ["the human `claude` (id 81847) is a person, not an agent", devinPr(), approvals([review(who.claudeHuman, "APPROVED", 1)]),
    { satisfied: true, approvedBy: ["claude"] }],
  ["PR author excluded", claudeAssistedPr(), approvals([review(who.alice, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "alice", reason: "PR author" }] }, approvalPolicy({ users: ["alice", "bob"] })],
  ["the event sender is not excluded", claudeAssistedPr(), approvals([review(bob, "APPROVED", 1)]), { satisfied: true, approvedBy: ["bob"] }],
  ["commit author excluded", claudeAssistedPr([], { author: { ...bob, name: "Bob", email: "bob@corp.example" } }), approvals([review(bob, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "bob", reason: "commit author" }] }],
  ["committer excluded", claudeAssistedPr([], { committer: { login: "bob", name: "Bob", email: "bob@corp.example" } }), approvals([review(bob, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "bob", reason: "committer" }] }],
  ["co-author via id+login noreply trailer e-mail excluded", claudeAssistedPr(["Co-authored-by: Bob <2001+bob@users.noreply.github.com>"]),
    approvals([review(bob, "APPROVED", 1)]), { satisfied: false, ignored: [{ login: "bob", reason: "co-author" }] }],
  ["co-author via noreply id after a rename excluded", claudeAssistedPr(["Co-authored-by: Bob <2001+old-bob@users.noreply.github.com>"]),
    approvals([review(bob, "APPROVED", 1)]), { satisfied: false, ignored: [{ login: "bob", reason: "co-author" }] }],
  ["co-author via a trailer with a blank before its colon excluded", claudeAssistedPr(["Co-authored-by : Bob <2001+bob@users.noreply.github.com>"]),
    approvals([review(bob, "APPROVED", 1)]), { satisfied: false, ignored: [{ login: "bob", reason: "co-author" }] }],
  ["co-author via legacy login noreply e-mail excluded", claudeAssistedPr(["co-authored-by: B <Bob@users.noreply.github.com>"]),
    approvals([review(bob, "APPROVED", 1)]), { satisfied: false, ignored: [{ login: "bob", reason: "co-author" }] }],
  ["co-author via a plain e-mail the shell resolved for the reviewer excluded", claudeAssistedPr(["Co-authored-by: Bob <Bob@Corp.example>"]),
    approvals([review({ ...bob, email: "bob@corp.example" }, "APPROVED", 1)]), { satisfied: false, ignored: [{ login: "bob", reason: "co-author" }] }],
  ["declared agent excluded", devinPr(), approvals([review({ login: "acme-reviewer", id: 3001, type: "User" }, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "acme-reviewer", reason: "agent" }] }],
  ["catalogue agent excluded (bot account)", devinPr(), approvals([review(who.devin, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "devin-ai-integration[bot]", reason: "agent" }] }],
  ["catalogue agent excluded (user account)", devinPr(), approvals([review({ login: "openhands-agent", type: "User" }, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "openhands-agent", reason: "agent" }] }],
  ["coderabbitai[bot] excluded", devinPr(), approvals([review({ login: "coderabbitai[bot]", id: 136622811, type: "Bot" }, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "coderabbitai[bot]", reason: "bot" }] }],
  ["Copilot reviewer excluded although `Copilot` is listed", devinPr(), approvals([review(who.copilotReviewer, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "Copilot", reason: "bot" }] }],
  ["Copilot reviewer excluded by id even when typed User", devinPr(), approvals([review({ ...who.copilotReviewer, type: "User" }, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "Copilot", reason: "bot" }] }],
  ["a bot's change request does not block", devinPr(), approvals([review(who.copilotReviewer, "CHANGES_REQUESTED", 1), review(bob, "APPROVED", 2)]),
    { satisfied: true, changesRequestedBy: [], ignored: [{ login: "Copilot", reason: "bot" }] }],
  ["a non-approver is ignored, and so is their change request", devinPr(), approvals([review(eve, "APPROVED", 1), review(dave, "CHANGES_REQUESTED", 2)]),
    { satisfied: false, changesRequestedBy: [], ignored: [{ login: "dave", reason: "not an approver" }, { login: "eve", reason: "not an approver" }] },
    approvalPolicy({ teams: [] })],
  ["a team member counts", devinPr(), approvals([review({ ...dave, login: "Dave" }, "APPROVED", 1)]), { satisfied: true, approvedBy: ["Dave"], teamErrors: [] }],
  ["an unavailable team fails closed", devinPr(),
    approvals([review(dave, "APPROVED", 1)], { "acme/security": { status: "unavailable", reason: "not found (404)" } }),
    { satisfied: false, ignored: [{ login: "dave", reason: "not an approver" }],
      teamErrors: ["team @acme/security: not found (404); approvals by its members do not count"] }],
  ["a team missing from the facts fails closed", devinPr(), approvals([review(dave, "APPROVED", 1)], {}),
    { satisfied: false, teamErrors: ["team @acme/security: membership was not provided; approvals by its members do not count"] }],
  ["an unavailable team does not block a listed user's approval", devinPr(),
    approvals([review(bob, "APPROVED", 1)], { "acme/security": { status: "unavailable", reason: "forbidden (403)" } }),
    { satisfied: true, approvedBy: ["bob"] }],
  ["review facts for another head count nothing", devinPr(), approvals([review(bob, "APPROVED", 1, OLD)], SECURITY_OK, OLD),
    { satisfied: false, ignored: [{ login: "bob", reason: "approved an older commit" }] }],
  ["an approval with an unreadable time is dropped", devinPr(), approvals([{ ...review(bob, "APPROVED", 1), submittedAt: "yesterday" }]),
    { satisfied: false, approvedBy: [], ignored: [] }],
  ["a change request with an unreadable time is taken as the latest", devinPr(),
    approvals([{ ...review(bob, "CHANGES_REQUESTED", 1), submittedAt: "" }, review(bob, "APPROVED", 2)]), { satisfied: false, changesRequestedBy: ["bob"] }],
  ["an incomplete commit list lets nobody approve", devinPr({ commitsComplete: false }), approvals([review(bob, "APPROVED", 1)]),
    { satisfied: false, ignored: [{ login: "bob", reason: "commit authors unverifiable" }] }],
];

describe("evaluateStepUps", () => {
  it.each(cases)("%s", (_name, facts, reviewFacts, expected, policy) => {
    const status = statusFor(facts, reviewFacts, policy ?? approvalPolicy());
    expect(status).toMatchObject(expected);
    expect(status.required).toBe(status.missing + Math.min(status.approvedBy.length, status.required));
  });

  it("reports eligible approvers: listed users minus excluded ones, and readable teams", () => {
    const facts = claudeAssistedPr(["Co-authored-by: Bob <2001+bob@users.noreply.github.com>"]);
    const policy = approvalPolicy({ users: ["alice", "bob", "carol", "claude[bot]", "coderabbitai[bot]"], teams: ["acme/security", "acme/gone"] });
    const status = statusFor(facts, approvals([]), policy);
    expect(status.eligible).toEqual({ users: ["carol"], teams: ["acme/security"] });
    expect(status.teamErrors).toEqual(["team @acme/gone: membership was not provided; approvals by its members do not count"]);
    expect(status).toMatchObject({ name: "deps", required: 1, missing: 1, satisfied: false });
  });

  it("handles the governance step-up: the agent owner's team approves", () => {
    const policy = approvalPolicy();
    const facts = devinPr({ paths: [".github/workflows/ci.yml"] });
    const decision = evaluate(policy, facts);
    expect(decision.stepUps.map((s) => [s.name, s.teams])).toEqual([["governance-files (devin)", ["acme/platform"]]]);
    const [status] = evaluateStepUps(decision, facts, approvals([review(carol, "APPROVED", 1), review(bob, "APPROVED", 2)]), policy);
    expect(status).toMatchObject({ name: "governance-files (devin)", satisfied: true, approvedBy: ["carol"], ignored: [{ login: "bob", reason: "not an approver" }] });
  });

  it("handles 150 reviews in any order", () => {
    const reviewers = Array.from({ length: 40 }, (_, i) => ({ login: `user${i}`, id: 5000 + i, type: "User" }));
    const reviews = [
      ...Array.from({ length: 140 }, (_, i) => review(reviewers[i % 40]!, i % 3 === 0 ? "APPROVED" : "COMMENTED", i, i % 2 ? HEAD : OLD)),
      ...Array.from({ length: 8 }, (_, i) => review(bob, i % 2 ? "APPROVED" : "COMMENTED", 200 + i, i < 7 ? OLD : HEAD)),
      review(carol, "APPROVED", 300),
      review(dave, "APPROVED", 301),
    ];
    expect(reviews).toHaveLength(150);
    const policy = approvalPolicy({ count: 3, users: ["bob", "carol", "user4"] });
    const forward = statusFor(devinPr(), approvals(reviews), policy);
    const backward = statusFor(devinPr(), approvals([...reviews].reverse()), policy);
    expect(backward).toEqual(forward);
    expect(forward).toMatchObject({ satisfied: true, approvedBy: ["bob", "carol", "dave"], changesRequestedBy: [] });
    expect(forward.ignored).toContainEqual({ login: "user4", reason: "approved an older commit" });
    expect(forward.ignored.filter((i) => i.login !== "user4").every((i) => /^user\d+$/.test(i.login) && i.reason === "not an approver")).toBe(true);
  });

  it("standingReviews keeps each reviewer's latest deciding review", () => {
    const standing = standingReviews([review(bob, "APPROVED", 1), review(bob, "COMMENTED", 2), review(carol, "PENDING", 3), review({ type: "User" }, "APPROVED", 4)]);
    expect(standing.map((s) => [s.key, s.review.state])).toEqual([["bob", "APPROVED"]]);
  });

  it("is pure: same input, same output, input untouched", () => {
    const facts = devinPr();
    const reviewFacts = approvals([review(bob, "APPROVED", 1), review(eve, "APPROVED", 2)]);
    const before = structuredClone(reviewFacts);
    const policy = approvalPolicy();
    const decision = evaluate(policy, facts);
    expect(evaluateStepUps(decision, facts, reviewFacts, policy)).toEqual(evaluateStepUps(decision, facts, reviewFacts, policy));
    expect(reviewFacts).toEqual(before);
  });
});

describe("evaluateStepUps with other commits", () => {
  it("a commit by the approver in a multi-commit PR excludes them", () => {
    const facts = devinPr({ commits: [commit({ sha: OLD }), commit({ sha: HEAD, author: { ...carol, name: "Carol", email: "c@x" } })] });
    const status = statusFor(facts, approvals([review(carol, "APPROVED", 1), review(bob, "APPROVED", 2)]));
    expect(status).toMatchObject({ satisfied: true, approvedBy: ["bob"], ignored: [{ login: "carol", reason: "commit author" }] });
  });
});
