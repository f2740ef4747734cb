import nock from "nock";
import { commitEntry, COPILOT, COPILOT_COMMITTER, fileEntry, pullResponse } from "../fixtures/github.js";
import { API, policyContent } from "../app/harness.js";

/** The policy of the world: Copilot may work on `copilot/**` in `src/**` except `src/auth/**`, run `ci.yml`, deploy to `staging`. */
export const WORLD_POLICY = `version: 1
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { ids: [198982749] }
    branches: ["copilot/**"]
    paths:
      allow: ["src/**"]
      deny: ["src/auth/**"]
    workflows: { allow: ["ci.yml"] }
    environments: { allow: ["staging"] }
`;

export const WORLD_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/** What the app asked GitHub to do in one run, whatever GitHub answered. */
export interface Outcome {
  /** Conclusions of every check run the app created or updated. */
  conclusions: string[];
  /** States of every deployment protection rule answer (`approved`, `rejected`). */
  deploymentStates: string[];
  /** Workflow runs the app asked to cancel. */
  cancelled: string[];
  /** Every call, as `METHOD path`. */
  calls: string[];
}

/** Fails the `at`-th API call (counting from 0, the token exchange excluded) with `status`. */
export interface InjectedFailure {
  at: number;
  status: number;
}

type Reply = [number, unknown] | [number, unknown, Record<string, string>];

/**
 * One repository on GitHub as the app's calls see it, answered by a catch-all
 * nock responder (the network stays disabled): whatever owner, repository,
 * pull request number or SHA a call names, it gets this world's answer — an
 * assistant's pull request that leaves its paths, a run of a workflow it may
 * not run, a deployment it may not make. A mutated payload therefore meets
 * the same GitHub as the unmutated one. Calls the world does not know get a
 * 404, as GitHub answers them.
 */
export function installWorld(failure?: InjectedFailure): Outcome {
  const outcome: Outcome = { conclusions: [], deploymentStates: [], cancelled: [], calls: [] };
  let counted = 0;
  const respond = (method: string, uri: string, body: unknown): Reply => {
    const url = new URL(uri, API);
    const path = decodeURIComponent(url.pathname);
    if (method === "POST" && /^\/app\/installations\/[^/]+\/access_tokens$/.test(path)) {
      return [201, { token: "ghs_fuzz", expires_at: "2099-01-01T00:00:00Z", permissions: {} }];
    }
    outcome.calls.push(`${method} ${path}`);
    record(outcome, method, path, body);
    if (failure && counted++ === failure.at) return [failure.status, { message: `injected ${failure.status}` }];
    return route(method, path, url.searchParams);
  };
  const scope = nock(API).persist();
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"] as const) {
    scope.intercept(/.*/, method).reply(function (uri, body) {
      return respond(method, uri, typeof body === "string" && body ? safeJson(body) : body);
    });
  }
  return outcome;
}

function record(outcome: Outcome, method: string, path: string, body: unknown): void {
  const payload = (body ?? {}) as Record<string, unknown>;
  if ((method === "POST" && /\/check-runs$/.test(path)) || (method === "PATCH" && /\/check-runs\/[^/]+$/.test(path))) {
    if (typeof payload.conclusion === "string") outcome.conclusions.push(payload.conclusion);
  }
  if (method === "POST" && /\/actions\/runs\/[^/]+\/deployment_protection_rule$/.test(path)) {
    outcome.deploymentStates.push(String(payload.state ?? "comment"));
  }
  const cancel = method === "POST" ? /\/actions\/runs\/([^/]+)\/cancel$/.exec(path) : null;
  if (cancel) outcome.cancelled.push(cancel[1]!);
}

function route(method: string, path: string, query: URLSearchParams): Reply {
  const repo = /^\/repos\/[^/]+\/[^/]+/.exec(path)?.[0];
  const rest = repo ? path.slice(repo.length) : path;
  const copilotCommit = commitEntry(WORLD_HEAD, "Implement the change", { account: COPILOT, ...COPILOT_COMMITTER });
  const files = [fileEntry("src/auth/login.ts"), fileEntry("src/app.ts")];
  let m: RegExpExecArray | null;

  if (method === "GET" && repo && rest === "") {
    const [, , owner, name] = repo.split("/");
    return [200, { name, full_name: `${owner}/${name}`, owner: { login: owner, type: "User" }, default_branch: "master", private: false }];
  }
  if (method === "GET" && rest === "/contents/.agent-policy.yml") {
    // The org baseline repository has none; every other repository has the world's policy on its default branch.
    if (/^\/repos\/[^/]+\/\.github$/.test(repo ?? "")) return [404, { message: "Not Found" }];
    return [200, policyContent(WORLD_POLICY), { etag: '"world-policy"' }];
  }
  if (method === "GET" && rest.startsWith("/contents/")) return [404, { message: "Not Found" }];
  if (method === "GET" && (m = /^\/pulls\/([^/]+)$/.exec(rest))) {
    const number = Number(m[1]) || 1;
    return [200, pullResponse({ number, headSha: WORLD_HEAD, headRef: "copilot/fix", user: COPILOT, changedFiles: files.length, commits: 1 })];
  }
  if (method === "GET" && /^\/pulls\/[^/]+\/files$/.test(rest)) return [200, files];
  if (method === "GET" && /^\/pulls\/[^/]+\/commits$/.test(rest)) return [200, [copilotCommit]];
  if (method === "GET" && /^\/pulls\/[^/]+\/reviews$/.test(rest)) return [200, []];
  if (method === "POST" && /^\/pulls\/[^/]+\/requested_reviewers$/.test(rest)) return [201, {}];
  if (method === "GET" && rest === "/pulls") return [200, []];
  if (method === "GET" && /^\/commits\/[^/]+\/check-runs$/.test(rest)) return [200, { total_count: 0, check_runs: [] }];
  if (method === "GET" && /^\/commits\/[^/]+\/pulls$/.test(rest)) {
    return [200, [{ number: 1, state: "open", merged_at: null, merge_commit_sha: null, base: { ref: "master" }, head: { ref: "copilot/fix", sha: WORLD_HEAD } }]];
  }
  if (method === "POST" && rest === "/check-runs") return [201, { id: 77 }];
  if (method === "PATCH" && /^\/check-runs\/[^/]+$/.test(rest)) return [200, { id: 77 }];
  if (method === "GET" && rest.startsWith("/compare/")) {
    const first = Number(query.get("page") ?? 1) <= 1;
    return [200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: first ? [copilotCommit] : [], files: first ? files : [] }];
  }
  if (method === "GET" && rest === "/issues") return [200, []];
  if (method === "GET" && rest.startsWith("/labels/")) return [404, { message: "Not Found" }];
  if (method === "POST" && rest === "/labels") return [201, { name: "agent-policy-incident" }];
  if (method === "POST" && rest === "/issues") return [201, { number: 42, html_url: "https://github.com/Codertocat/Hello-World/issues/42" }];
  if (method === "POST" && /^\/issues\/[^/]+\/comments$/.test(rest)) return [201, { id: 7 }];
  if (method === "GET" && /^\/issues\/[^/]+\/(comments|events)$/.test(rest)) return [200, []];
  if (method === "GET" && (m = /^\/actions\/runs\/([^/]+)$/.exec(rest))) {
    const id = Number(m[1]) || 4242;
    return [200, workflowRun(id)];
  }
  if (method === "POST" && /^\/actions\/runs\/[^/]+\/cancel$/.test(rest)) return [202, {}];
  if (method === "POST" && /^\/actions\/runs\/[^/]+\/deployment_protection_rule$/.test(rest)) return [204, ""];
  if (method === "GET" && rest.startsWith("/environments/")) return [200, { name: rest.slice("/environments/".length), protection_rules: [] }];
  return [404, { message: "Not Found" }];
}

/** The world's workflow run: Copilot's run of `deploy.yml`, a workflow it may not run. */
export function workflowRun(id: number): Record<string, unknown> {
  return {
    id,
    name: "Deploy",
    path: ".github/workflows/deploy.yml",
    html_url: `https://github.com/Codertocat/Hello-World/actions/runs/${id}`,
    head_sha: WORLD_HEAD,
    head_branch: "copilot/fix",
    status: "queued",
    actor: COPILOT,
    triggering_actor: COPILOT,
    head_commit: { author: { name: COPILOT_COMMITTER.name, email: COPILOT_COMMITTER.email } },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
