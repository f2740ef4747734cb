import { describe, expect, it } from "vitest";
import { KeyedMutex } from "../../src/app/keyed-mutex.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { CheckRuns } from "./check-runs.js";
import { createHarness, expectEveryMockUsed, REPO_PATH } from "./harness.js";
import { HEAD, mockActivity, mockPullsOfCommit, mockReads, pagedReply, type Scenario } from "./mocks.js";

const LEAD = { login: "octo-lead", id: 7001, type: "User" };
const NEXT = "4444444444444444444444444444444444444444";
/** Copilot changes package.json: the `dependencies` step-up, approver octo-lead (already asked for review). */
const stepUpPr: Scenario = {
  files: [fileEntry("package.json")],
  commits: [commitEntry(HEAD, "Bump a dependency", { account: COPILOT, ...COPILOT_COMMITTER })],
  requestedReviewers: ["octo-lead"],
};
const approved = { id: 1, user: LEAD, state: "APPROVED", commit_id: HEAD, submitted_at: "2026-11-27T11:00:00Z" };
const dismissed = { ...approved, state: "DISMISSED" };

function reviewEvent(action: "submitted" | "dismissed") {
  const payload = examplePayload("pull_request_review", action);
  payload.pull_request.head.sha = HEAD;
  payload.review = { ...payload.review, user: LEAD, state: action === "submitted" ? "approved" : "dismissed", commit_id: HEAD };
  payload.sender = { ...payload.sender, ...LEAD };
  return payload;
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The app's per-commit lock, telling the test when a task has to wait for another. */
class ObservedMutex extends KeyedMutex {
  readonly waiting = deferred<string>();
  override run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.isBusy(key)) this.waiting.resolve(key);
    return super.run(key, task);
  }
}

describe("races: evaluations of one commit, one at a time, each reading again what it relies on", () => {
  expectEveryMockUsed();

  it("never posts an approval read before a dismissal after the dismissal's evaluation said action_required", async () => {
    const locks = new ObservedMutex();
    const h = await createHarness({ app: { commitLocks: locks } });
    const runs = new CheckRuns();
    const posted = deferred();
    runs.onCreate = () => posted.resolve();

    // GitHub's reviews as they are when each request arrives; the first read is answered only when the test says so.
    let reviews: object[] = [approved];
    const firstRead = deferred();
    const release = deferred();
    let reads = 0;
    const scope = mockReads(stepUpPr);
    mockReads({ ...stepUpPr, token: false });
    scope.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).times(4).reply((_uri, _body, callback) => {
      const answer: [number, object[]] = [200, [...reviews]];
      if (reads++ === 0) {
        firstRead.resolve();
        void release.promise.then(() => callback(null, answer));
      } else {
        callback(null, answer);
      }
    });
    for (let i = 0; i < 2; i++) {
      mockActivity(scope);
      runs.list(scope);
      mockPullsOfCommit(scope, HEAD, [2]);
    }
    runs.create(scope);
    runs.create(scope, true);

    const approval = h.receive("pull_request_review", reviewEvent("submitted"), "d-approve");
    await firstRead.promise;
    reviews = [dismissed]; // the approval is dismissed on GitHub
    const dismissal = h.receive("pull_request_review", reviewEvent("dismissed"), "d-dismiss");
    // The dismissal's evaluation either waits for the approval's (same commit) or, unguarded, posts first.
    await Promise.race([locks.waiting.promise, posted.promise]);
    release.resolve();
    await Promise.all([approval, dismissal]);

    expect(runs.runs.map((r) => r.conclusion)).not.toContain("success");
    expect(runs.verdict().conclusion).toBe("action_required");
    expect(h.audit().map((a) => [a.deliveryId, a.conclusion])).toEqual([
      ["d-approve", "action_required"],
      ["d-dismiss", "action_required"],
    ]);
  });

  it("applies a dismissal that lands while the approval is being judged: reviews are read again before posting", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockReads(stepUpPr);
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, [approved]);
    mockActivity(scope);
    pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, [dismissed]);
    runs.list(scope);
    mockPullsOfCommit(scope, HEAD, [2]);
    runs.create(scope);
    await h.receive("pull_request_review", reviewEvent("submitted"));
    expect(runs.verdict().conclusion).toBe("action_required");
    expect(runs.verdict().output.summary).toContain("@\u2060octo-lead (review dismissed)");
  });

  it("marks the result superseded when the pull request's head moves on while it is judged, never as its current one", async () => {
    const h = await createHarness();
    const runs = new CheckRuns();
    const scope = mockReads({ files: [fileEntry("src/app.ts")], commits: stepUpPr.commits, pullReads: 1 });
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, { number: 2, state: "open", html_url: "", user: COPILOT, head: { sha: NEXT, ref: "copilot/fix" } });
    runs.list(scope);
    // The commit's open pull requests no longer list #2 with this head: the pull request itself is read again, and says where it went.
    mockPullsOfCommit(scope, HEAD, []);
    runs.create(scope);
    await h.receive("pull_request_review", reviewEvent("submitted"));
    const run = runs.verdict(HEAD);
    expect(run.head_sha).toBe(HEAD);
    expect(run.conclusion).toBe("success");
    expect(run.output.title).toBe("Superseded: Compliant: copilot stayed within policy");
    expect(run.output.summary.split("\n")[0]).toBe(
      "> Superseded: the pull request moved on to `4444444` while this commit was judged; this is the result for this commit, not the pull request's current one.",
    );
    expect(h.logs.find((l) => l.audit)).toMatchObject({ supersededBy: "4444444" });
  });
});

describe("KeyedMutex", () => {
  it("runs the tasks of one key in order, one at a time, and other keys alongside", async () => {
    const locks = new KeyedMutex();
    const events: string[] = [];
    const gate = deferred();
    const first = locks.run("a", async () => {
      events.push("a1 start");
      await gate.promise;
      events.push("a1 end");
    });
    const second = locks.run("a", async () => void events.push("a2"));
    const other = locks.run("b", async () => void events.push("b1"));
    await other;
    expect(events).toEqual(["a1 start", "b1"]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(["a1 start", "b1", "a1 end", "a2"]);
    expect(locks.isBusy("a")).toBe(false);
  });

  it("goes on with the next task when one fails", async () => {
    const locks = new KeyedMutex();
    await expect(locks.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(locks.run("a", async () => 1)).resolves.toBe(1);
  });
});
