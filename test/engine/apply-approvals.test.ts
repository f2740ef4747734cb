import { describe, expect, it } from "vitest";
import { applyApprovals } from "../../src/engine/apply-approvals.js";
import { evaluateStepUps, type ApprovalFacts, type StepUpStatus } from "../../src/engine/approvals.js";
import type { ChangeFacts, Decision, Verdict } from "../../src/engine/types.js";
import { approvalPolicy, approvals, devinPr, OLD, people, review } from "./approval-fixtures.js";
import { evaluate } from "./fixtures.js";

const { bob, carol, dave } = people;

/** Evaluate, read the approvals, apply them: what the shell does on a review event. */
function decide(facts: ChangeFacts, reviewFacts: ApprovalFacts): { before: Decision; after: Decision } {
  const policy = approvalPolicy();
  const before = evaluate(policy, facts);
  return { before, after: applyApprovals(before, evaluateStepUps(before, facts, reviewFacts, policy)) };
}

const approvedSteps = (d: Decision) => d.findings.filter((f) => f.approved).map((f) => `${f.stepUp} ${f.asset.value}`);

const cases: [string, ChangeFacts, ApprovalFacts, Verdict, Verdict, string[]][] = [
  ["a satisfied step-up allows", devinPr(), approvals([review(bob, "APPROVED", 1)]), "step_up", "allow", ["deps package.json"]],
  ["no approval: still step_up", devinPr(), approvals([]), "step_up", "step_up", []],
  ["an old approval: still step_up", devinPr(), approvals([review(bob, "APPROVED", 1, OLD)]), "step_up", "step_up", []],
  ["changes requested: still step_up", devinPr(), approvals([review(carol, "APPROVED", 1), review(bob, "CHANGES_REQUESTED", 2)]), "step_up", "step_up", []],
  ["a deny is never approved away", devinPr({ paths: ["package.json", "src/auth/login.ts"] }), approvals([review(bob, "APPROVED", 1)]),
    "deny", "deny", ["deps package.json"]],
  ["two step-ups, one satisfied: still step_up", devinPr({ paths: ["package.json", ".github/workflows/ci.yml"] }), approvals([review(bob, "APPROVED", 1)]),
    "step_up", "step_up", ["deps package.json"]],
  ["two step-ups, both satisfied (governance by the owner team): allow", devinPr({ paths: ["package.json", ".github/workflows/ci.yml"] }),
    approvals([review(bob, "APPROVED", 1), review(carol, "APPROVED", 2)]), "step_up", "allow",
    ["governance-files (devin) .github/workflows/ci.yml", "deps package.json"]],
  ["one approver can satisfy two step-ups", devinPr({ paths: ["package.json", ".github/workflows/ci.yml"] }),
    approvals([review(dave, "APPROVED", 1)]), "step_up", "allow", ["governance-files (devin) .github/workflows/ci.yml", "deps package.json"]],
  ["no step-up: allow stays allow", devinPr({ paths: ["src/a.ts"] }), approvals([review(bob, "APPROVED", 1)]), "allow", "allow", []],
];

describe("applyApprovals", () => {
  it.each(cases)("%s", (_name, facts, reviewFacts, verdictBefore, verdictAfter, approved) => {
    const { before, after } = decide(facts, reviewFacts);
    expect(before.verdict).toBe(verdictBefore);
    expect(after.verdict).toBe(verdictAfter);
    expect(approvedSteps(after)).toEqual(approved);
    expect(after.findings.map(({ approved: _a, ...f }) => f)).toEqual(before.findings);
    expect(after.stepUpStatus?.map((s) => s.name)).toEqual(before.stepUps.map((s) => s.name));
  });

  it("does not modify its input and is deterministic", () => {
    const facts = devinPr();
    const { before } = decide(facts, approvals([]));
    const snapshot = structuredClone(before);
    const statuses = evaluateStepUps(before, facts, approvals([review(bob, "APPROVED", 1)]), approvalPolicy());
    const a = applyApprovals(before, statuses);
    expect(before).toEqual(snapshot);
    expect(applyApprovals(before, statuses)).toEqual(a);
    expect(a).toMatchObject({ verdict: "allow", stepUpStatus: [{ name: "deps", approvedBy: ["bob"], satisfied: true }] });
  });

  it("a requirement without a status stays pending", () => {
    const { before } = decide(devinPr(), approvals([]));
    const after = applyApprovals(before, []);
    expect(after.verdict).toBe("step_up");
    expect(after.stepUpStatus).toMatchObject([{ name: "deps", satisfied: false, missing: 1, approvedBy: [] }]);
  });

  it("a status that claims more than it shows does not lift", () => {
    const facts = devinPr();
    const { before } = decide(facts, approvals([]));
    const [real] = evaluateStepUps(before, facts, approvals([]), approvalPolicy());
    const forged: StepUpStatus[] = [
      { ...real!, satisfied: true },
      { ...real!, satisfied: true, approvedBy: ["bob", "BOB"], required: 1 },
    ];
    for (const status of forged) {
      const count2 = { ...before, stepUps: before.stepUps.map((s) => ({ ...s, count: 2 })) };
      expect(applyApprovals(count2, [status]).verdict).toBe("step_up");
    }
    expect(applyApprovals(before, [{ ...real!, satisfied: true, approvedBy: ["bob"] }, real!]).verdict).toBe("step_up");
  });
});
