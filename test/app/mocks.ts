import nock from "nock";
import { COPILOT, pullResponse } from "../fixtures/github.js";
import { API, mockBaseline, mockToken, policyContent, REPO_PATH, type BaselineReply } from "./harness.js";

export const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const POLICY = `version: 1
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { ids: [198982749] }
    branches: ["copilot/**"]
    paths:
      allow: ["src/**", "test/**", "package.json"]
      deny: ["src/auth/**"]
step_up:
  - name: dependencies
    when: { paths: ["package.json"] }
    approvers: { users: ["octo-lead"] }
`;

export interface Scenario {
  policy?: string | null | { status: number };
  /** The contents API's whole answer for the policy path, instead of a regular file holding `policy`. */
  policyResponse?: Record<string, unknown>;
  etag?: string;
  ifNoneMatch?: string;
  /** How the org baseline's read is answered (default: 404, no baseline); null: not read (a missing baseline remembered). */
  baseline?: BaselineReply | null;
  user?: object;
  headRef?: string;
  baseRef?: string;
  files: Record<string, unknown>[];
  commits: Record<string, unknown>[];
  changedFiles?: number;
  existingRuns?: object[];
  requestedReviewers?: string[];
  /** The head repository when it is a fork (`null`: the fork was deleted). */
  headRepo?: { owner: string; repo: string } | null;
  /** False when the installation token is already cached by an earlier event. */
  token?: boolean;
  /** The pull request's number (default 2) and head SHA (default `HEAD`). */
  number?: number;
  headSha?: string;
  /**
   * How often the pull request is read (default 1: to judge it; a \`synchronize\` event's own copy is used instead when
   * the commits listed end at its head). Right before the verdict is posted it is read again only when the commit's
   * open pull requests do not list it with this head.
   */
  pullReads?: number;
  /** The pull request's issue-comment count (absent by default). */
  comments?: number;
}

/** Mocks every read of one evaluation, in order; returns the scope so a test adds the writes it expects. */
export function mockReads(s: Scenario): nock.Scope {
  const scope = s.token === false ? nock(API) : mockToken();
  const contents = scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" });
  if (s.ifNoneMatch) contents.matchHeader("if-none-match", s.ifNoneMatch).reply(304);
  else if (s.policy === null) contents.reply(404, { message: "Not Found" });
  else if (typeof s.policy === "object") contents.reply(s.policy.status, { message: "Server Error" });
  else contents.reply(200, s.policyResponse ?? policyContent(s.policy ?? POLICY), { etag: s.etag ?? '"p1"' });
  if (typeof s.policy === "object" && s.policy !== null) return scope;
  if (s.baseline !== null) mockBaseline(scope, REPO_PATH, s.baseline);
  // An unreadable baseline stops the evaluation before the pull request is read (fail closed).
  if (s.baseline && ![200, 304, 404].includes(s.baseline.status)) return scope;
  const number = s.number ?? 2;
  const reads = s.pullReads ?? 1;
  if (reads > 0) scope
    .get(`${REPO_PATH}/pulls/${number}`)
    .times(reads)
    .reply(
      200,
      pullResponse({
        number,
        headSha: s.headSha ?? HEAD,
        headRef: s.headRef ?? "copilot/fix",
        ...(s.baseRef ? { baseRef: s.baseRef } : {}),
        user: (s.user ?? COPILOT) as typeof COPILOT,
        changedFiles: s.changedFiles ?? s.files.length,
        commits: s.commits.length,
        ...(s.requestedReviewers ? { requestedReviewers: s.requestedReviewers } : {}),
        ...(s.headRepo !== undefined ? { headRepo: s.headRepo } : {}),
        ...(s.comments !== undefined ? { comments: s.comments } : {}),
      }),
    );
  pagedReply(scope, `${REPO_PATH}/pulls/${number}/files`, s.files);
  pagedReply(scope, `${REPO_PATH}/pulls/${number}/commits`, s.commits);
  return scope;
}

export function pagedReply(scope: nock.Scope, path: string, items: unknown[]) {
  const pages = Math.max(1, Math.ceil(items.length / 100));
  for (let page = 1; page <= pages; page++) {
    const query = page === 1 ? { per_page: 100 } : { per_page: 100, page };
    const headers: Record<string, string> = page < pages ? { link: `<${API}${path}?per_page=100&page=${page + 1}>; rel="next"` } : {};
    scope.get(path).query(query).reply(200, items.slice((page - 1) * 100, page * 100), headers);
  }
}

/** The head branch's activity (who pushed), newest first, as `GET /repos/{owner}/{repo}/activity` lists it. */
export function mockActivity(scope: nock.Scope, activities: object[] = [], o: { ref?: string; repoPath?: string } = {}) {
  const repoPath = o.repoPath ?? REPO_PATH;
  scope.get(`${repoPath}/activity`).query({ ref: `refs/heads/${o.ref ?? "copilot/fix"}`, per_page: 100 }).reply(200, activities);
}

/** One activity entry: `actor` pushed (or created, force-pushed, …) the branch. */
export function activity(actor: object | null, type = "push", ref = "copilot/fix") {
  return { id: 1, node_id: "A_1", before: "0".repeat(40), after: HEAD, ref: `refs/heads/${ref}`, timestamp: "2026-11-27T09:00:00Z", activity_type: type, actor };
}

/** What a step-up evaluation reads after the change: the reviews, then who pushed the head branch. */
export function mockApprovalReads(scope: nock.Scope, reviews: unknown[], activities: object[] = [], ref?: string) {
  pagedReply(scope, `${REPO_PATH}/pulls/2/reviews`, reviews);
  mockActivity(scope, activities, ref ? { ref } : {});
}

/**
 * The commit's state, read before its verdict is posted: the app's latest runs there (which carry the
 * commit's record) and the open pull requests whose head it is (by default #2 alone).
 */
export function mockListRuns(scope: nock.Scope, runs: object[] = [], pulls: number[] = [2], sha = HEAD) {
  scope
    .get(`${REPO_PATH}/commits/${sha}/check-runs`)
    .query({ check_name: "Agent Policy", filter: "latest", per_page: 100 })
    .reply(200, { total_count: runs.length, check_runs: runs });
  mockPullsOfCommit(scope, sha, pulls);
}

/** `repos.listPullRequestsAssociatedWithCommit`: the given numbers as open pull requests with head `sha`. */
export function mockPullsOfCommit(scope: nock.Scope, sha: string, numbers: number[], extra: object[] = []) {
  scope
    .get(`${REPO_PATH}/commits/${sha}/pulls`)
    .query({ per_page: 100 })
    .reply(200, [...numbers.map((number) => ({ number, state: "open", head: { sha, ref: `branch-${number}` } })), ...extra]);
}

export function mockCreate(scope: nock.Scope) {
  const posted: { body?: Record<string, any> } = {};
  scope.post(`${REPO_PATH}/check-runs`, (body) => ((posted.body = body), true)).reply(201, { id: 77 });
  return posted;
}

