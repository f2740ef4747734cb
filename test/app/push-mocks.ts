import nock from "nock";
import { COPILOT, examplePayloadWhere } from "../fixtures/github.js";
import { mockBaseline, mockToken, policyContent, REPO_PATH } from "./harness.js";
import { mockPullsOfCommit, POLICY } from "./mocks.js";

/** The example push's head commit; `BEFORE` is another real SHA of the example repository. */
export const AFTER = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
export const BEFORE = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const ZERO = "0".repeat(40);
export const PUSH_POLICY = `${POLICY}protected_branches: ["release/*"]\n`;

export const COPILOT_PUSHER = { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" };
export const HUMAN_PUSHER = { name: "octo-dev", email: "dev@example.com" };
export const HUMAN_SENDER = { login: "octo-dev", id: 5001, type: "User" };

type Person = { name: string; email: string; username?: string };

export interface PushOptions {
  ref?: string;
  before?: string;
  after?: string;
  created?: boolean;
  deleted?: boolean;
  forced?: boolean;
  pusher?: { name: string; email: string };
  sender?: object;
  commits?: Record<string, unknown>[];
}

/** The real example push (a created `master` with one commit), changed as each case needs; by default Copilot pushes `copilot/fix`. */
export function pushPayload(o: PushOptions = {}): Record<string, any> {
  const p = examplePayloadWhere("push", (e) => e.ref === "refs/heads/master");
  p.ref = o.ref ?? "refs/heads/copilot/fix";
  p.before = o.before ?? BEFORE;
  p.after = o.after ?? AFTER;
  p.created = o.created ?? false;
  p.deleted = o.deleted ?? false;
  p.forced = o.forced ?? false;
  p.compare = `https://github.com/Codertocat/Hello-World/compare/${p.before.slice(0, 12)}...${p.after.slice(0, 12)}`;
  p.pusher = o.pusher ?? COPILOT_PUSHER;
  p.sender = { ...p.sender, ...(o.sender ?? COPILOT) };
  p.commits = o.commits ?? [payloadCommit(p.after, "Implement the change", { ...COPILOT_PUSHER, username: "Copilot" })];
  p.head_commit = p.commits.at(-1) ?? null;
  return p;
}

/** A payload commit shaped like the example's, with another id, message and author (also the committer). */
export function payloadCommit(id: string, message: string, author: Person, distinct = true): Record<string, unknown> {
  const base = structuredClone(examplePayloadWhere("push", (e) => e.ref === "refs/heads/master").commits[0]);
  return { ...base, id, message, distinct, author, committer: author, url: `https://github.com/Codertocat/Hello-World/commit/${id}` };
}

export function mockPolicy(text: string | null = PUSH_POLICY, scope = mockToken()): nock.Scope {
  const contents = scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" });
  if (text === null) contents.reply(500, { message: "Server Error" });
  else mockBaseline(contents.reply(200, policyContent(text), { etag: '"p1"' }));
  return scope;
}

export function mockOpenPulls(scope: nock.Scope, branch: string, numbers: number[] = []) {
  scope
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "open", head: `Codertocat:${branch}`, per_page: 1 })
    .reply(200, numbers.map((number) => ({ number, state: "open" })));
}

/** One compare response per page, asked for with `per_page=100&page=N`. */
export function mockCompare(scope: nock.Scope, basehead: string, pages: { commits: unknown[]; files: unknown[] }[], totalCommits?: number) {
  const total = totalCommits ?? pages.reduce((n, p) => n + p.commits.length, 0);
  pages.forEach((page, i) => {
    scope
      .get(`${REPO_PATH}/compare/${basehead}`)
      .query({ per_page: 100, page: i + 1 })
      .reply(200, { status: "ahead", ahead_by: total, behind_by: 0, total_commits: total, commits: page.commits, files: page.files });
  });
}

/** The pushed commit's state: no run of the app there yet, and the open pull requests with that head (none by default). */
export function mockRunsAt(scope: nock.Scope, sha: string, pulls: number[] = []) {
  scope.get(`${REPO_PATH}/commits/${sha}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(200, { total_count: 0, check_runs: [] });
  mockPullsOfCommit(scope, sha, pulls);
}

export function mockCommitPulls(scope: nock.Scope, sha: string, pulls: object[] = []) {
  scope.get(`${REPO_PATH}/commits/${sha}/pulls`).reply(200, pulls);
}

/** GitHub's own account, the committer of what it creates and signs (merges, squashes, web edits). */
export const WEB_FLOW = { login: "web-flow", id: 19864447, type: "User" };

/** A compare-API commit as GitHub lists one it created itself: committed by `web-flow`, with a signature it verified. */
export function createdByGitHub(entry: Record<string, any>): Record<string, any> {
  return {
    ...entry,
    committer: WEB_FLOW,
    commit: {
      ...entry.commit,
      committer: { name: "GitHub", email: "noreply@github.com", date: "2026-11-27T11:59:00Z" },
      verification: { verified: true, reason: "valid", signature: "-----BEGIN PGP SIGNATURE-----\n…\n-----END PGP SIGNATURE-----", payload: "tree …" },
    },
  };
}

/** A merged pull request as the commit's pulls API lists it. */
export function mergedPull(o: { number: number; base: string; mergeCommit: string; head: string }): Record<string, unknown> {
  return {
    number: o.number,
    state: "closed",
    merged_at: "2026-11-27T11:59:00Z",
    merge_commit_sha: o.mergeCommit,
    base: { ref: o.base },
    head: { ref: "copilot/fix", sha: o.head },
  };
}

/** GET the pull request: merged into `base` as `mergeCommit` by `mergedBy`. */
export function mockMergedPullRead(scope: nock.Scope, o: { number: number; base: string; mergeCommit: string; head: string; mergedBy: object }) {
  scope.get(`${REPO_PATH}/pulls/${o.number}`).reply(200, { ...mergedPull(o), merged: true, merged_by: o.mergedBy });
}
