import { describe, expect, it } from "vitest";
import { boundedRecord, openRecord, recordActors, recordedActors, reviewApprovers, sealRecord, type CommitRecord } from "../../src/report/commit-record.js";
import { commitVerdict } from "../../src/report/commit-verdict.js";

const SCOPE = { repo: "acme/api", sha: "a".repeat(40), key: "secret" };
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };
const RECORD: CommitRecord = {
  actors: [{ role: "sender", identity: COPILOT }],
  subjects: [{ key: "pr:2", conclusion: "failure", verdict: "deny", title: "Denied: 1 finding for copilot" }],
};

describe("the sealed commit record", () => {
  it("reads back what was sealed, for the same repository and commit only", () => {
    const text = sealRecord(RECORD, SCOPE);
    expect(text).toMatch(/^<!-- agent-policy record v1 [A-Za-z0-9_-]+ [0-9a-f]{64} -->$/);
    expect(openRecord(`summary\n${text}\n`, SCOPE)).toEqual({ status: "ok", record: RECORD });
    expect(openRecord(text, { ...SCOPE, sha: "b".repeat(40) })).toMatchObject({ status: "invalid" });
    expect(openRecord(text, { ...SCOPE, repo: "acme/web" })).toMatchObject({ status: "invalid" });
  });

  it("rejects a record sealed with another key, or altered after sealing", () => {
    expect(openRecord(sealRecord(RECORD, { ...SCOPE, key: "other" }), SCOPE)).toEqual({ status: "invalid", reason: "the record's seal does not verify" });
    const text = sealRecord(RECORD, SCOPE);
    const [, body, mac] = /v1 (\S+) (\S+) -->/.exec(text)!;
    const json = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"));
    json.actors = [];
    const altered = `<!-- agent-policy record v1 ${Buffer.from(JSON.stringify(json)).toString("base64url")} ${mac} -->`;
    expect(openRecord(altered, SCOPE)).toEqual({ status: "invalid", reason: "the record's seal does not verify" });
    expect(openRecord("<!-- agent-policy record v1 garbage -->", SCOPE)).toEqual({ status: "invalid", reason: "the record is malformed" });
  });

  it("keeps who could change a verdict by reviewing, sealed: an approver cannot be added after sealing", () => {
    const approvers = reviewApprovers(["Octo-Lead", "@octo-lead", "bob"], ["@Acme/Security"])!;
    expect(approvers).toEqual({ users: ["bob", "octo-lead"], teams: ["acme/security"] });
    const record: CommitRecord = { actors: [], subjects: [{ ...RECORD.subjects[0]!, verdict: "step_up", conclusion: "action_required", approvers }] };
    const text = sealRecord(record, SCOPE);
    expect(openRecord(text, SCOPE)).toEqual({ status: "ok", record });
    const [, body, mac] = /v1 (\S+) (\S+) -->/.exec(text)!;
    const json = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"));
    json.subjects[0].approvers.users = [];
    const altered = `<!-- agent-policy record v1 ${Buffer.from(JSON.stringify(json)).toString("base64url")} ${mac} -->`;
    expect(openRecord(altered, SCOPE)).toEqual({ status: "invalid", reason: "the record's seal does not verify" });
    // More approvers than a record keeps: not kept, so every review that could count is evaluated.
    expect(reviewApprovers(Array.from({ length: 51 }, (_, i) => `user-${i}`), [])).toBeUndefined();
  });

  it("is absent from a run that carries none", () => {
    expect(openRecord(null, SCOPE)).toEqual({ status: "absent" });
    expect(openRecord("### Compliant", SCOPE)).toEqual({ status: "absent" });
  });

  it("seals the same record to the same text, whatever the order of its subjects", () => {
    const two: CommitRecord = { actors: [], subjects: [RECORD.subjects[0]!, { key: "pr:1", conclusion: "success", verdict: "allow", title: "ok" }] };
    expect(sealRecord(two, SCOPE)).toBe(sealRecord({ ...two, subjects: [...two.subjects].reverse() }, SCOPE));
  });

  it("keeps senders and pushers once each, and leaves out an actor the event sees again", () => {
    const actors = recordActors(RECORD.actors, [
      { role: "sender", identity: COPILOT },
      { role: "pusher", identity: { name: "octo-dev", email: "dev@example.com" } },
      { role: "pr_author", identity: { login: "octo-dev", id: 5001 } },
    ]);
    expect(actors).toEqual([
      { role: "sender", identity: COPILOT },
      { role: "pusher", identity: { name: "octo-dev", email: "dev@example.com" } },
    ]);
    expect(recordedActors(actors, [{ role: "sender", identity: COPILOT }])).toEqual([
      { role: "recorded", recordedRole: "pusher", identity: { name: "octo-dev", email: "dev@example.com" } },
    ]);
  });

  it("overflows, and says so, beyond 100 actors", () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ role: "sender" as const, identity: { login: `u${i}`, id: i } }));
    expect(boundedRecord({ actors: many, subjects: [] })).toMatchObject({ overflow: true });
    expect(openRecord(sealRecord(boundedRecord({ actors: many, subjects: [] }), SCOPE), SCOPE)).toMatchObject({ status: "ok", record: { overflow: true } });
  });
});

describe("a commit's one verdict", () => {
  const pr = (n: number, conclusion: "success" | "failure" | "action_required", verdict: "allow" | "deny" | "step_up" = "allow") => ({ key: `pr:${n}`, conclusion, verdict, title: `#${n}` });
  const push = (conclusion: "success" | "failure" | "action_required", verdict: "allow" | "deny" | "step_up" | "error") => ({ key: "push:refs/heads/x", conclusion, verdict, title: "push" });

  it("is the worst over the open pull requests with the head, judged now or on record", () => {
    expect(commitVerdict({ judged: [pr(3, "success")], recorded: [pr(2, "failure", "deny")], openPulls: [2, 3] }).conclusion).toBe("failure");
    expect(commitVerdict({ judged: [pr(3, "success")], recorded: [pr(2, "failure", "deny")], openPulls: [3] })).toMatchObject({ conclusion: "success", record: [pr(3, "success")] });
  });

  it("holds back for an open pull request nobody judged yet", () => {
    expect(commitVerdict({ judged: [pr(2, "success")], recorded: [], openPulls: [2, 4] }).conclusion).toBe("action_required");
  });

  it("lets a push count alone, a pull request replace its step-up, but never its deny", () => {
    expect(commitVerdict({ judged: [push("action_required", "step_up")], recorded: [], openPulls: [] }).conclusion).toBe("action_required");
    expect(commitVerdict({ judged: [pr(2, "success")], recorded: [push("action_required", "step_up")], openPulls: [2] }).conclusion).toBe("success");
    expect(commitVerdict({ judged: [pr(2, "success")], recorded: [push("failure", "error")], openPulls: [2] }).conclusion).toBe("success");
    expect(commitVerdict({ judged: [pr(2, "success")], recorded: [push("failure", "deny")], openPulls: [2] }).conclusion).toBe("failure");
    expect(commitVerdict({ judged: [push("success", "allow")], recorded: [pr(2, "failure", "deny")], openPulls: [2] }).conclusion).toBe("failure");
  });
});
