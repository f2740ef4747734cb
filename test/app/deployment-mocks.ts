import { readFileSync } from "node:fs";
import nock from "nock";
import { mockBaseline, mockToken, policyContent, REPO_PATH } from "./harness.js";

export const RUN_ID = 4242;
export const GATE = `${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`;
export const POLICY = `version: 1
agents:
  copilot:
    owner: "@Codertocat/platform"
    match: { ids: [198982749] }
    environments: { allow: ["staging"], step_up: ["production"] }
`;

/**
 * GitHub's `deployment_protection_rule.requested` payload, which
 * @octokit/webhooks-examples 7.6 does not carry. Its shape is the documented
 * one (GitHub's webhook reference: action, environment, event,
 * deployment_callback_url, deployment, pull_requests, repository,
 * organization, installation, sender; the callback URL is
 * `https://api.github.com/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`),
 * filled with the real repository, sender, installation and deployment of
 * the webhooks-examples `deployment.created` example.
 */
export function gateEvent(change: { environment?: string; callback?: string; sender?: object } = {}) {
  const payload = JSON.parse(readFileSync(new URL("../fixtures/events/deployment_protection_rule.requested.json", import.meta.url), "utf8"));
  if (change.environment) payload.environment = payload.deployment.environment = change.environment;
  if (change.callback !== undefined) payload.deployment_callback_url = change.callback;
  if (change.sender) payload.sender = payload.deployment.creator = { ...payload.sender, ...change.sender };
  return payload;
}

/** The REST workflow run, as far as the app reads it. */
export function runResponse(actor: object, triggering = actor) {
  return {
    id: RUN_ID,
    path: ".github/workflows/deploy.yml",
    html_url: `https://github.com/Codertocat/Hello-World/actions/runs/${RUN_ID}`,
    head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
    head_branch: "master",
    head_repository: { full_name: "Codertocat/Hello-World" },
    actor,
    triggering_actor: triggering,
    head_commit: { author: { name: "Codertocat", email: "21031067+Codertocat@users.noreply.github.com" } },
  };
}

export function mockReads(o: { policy?: string | { status: number }; run?: object | { status: number } } = {}) {
  const scope = mockToken();
  const contents = scope.get(`${REPO_PATH}/contents/.agent-policy.yml`).query({ ref: "master" });
  const policy = o.policy ?? POLICY;
  if (typeof policy === "string") mockBaseline(contents.reply(200, policyContent(policy), { etag: '"p1"' }));
  else contents.reply(policy.status, { message: "Server Error" });
  if (o.run === undefined) return scope;
  const run = o.run as { status?: number };
  if (run.status) scope.get(`${REPO_PATH}/actions/runs/${RUN_ID}`).reply(run.status, { message: "Not Found" });
  else scope.get(`${REPO_PATH}/actions/runs/${RUN_ID}`).reply(200, o.run);
  return scope;
}

/** The run's commit heads no open pull request: no grant can reach its deployment. */
export function noPullRequest(scope: nock.Scope) {
  scope.get(`${REPO_PATH}/commits/ec26c3e57ca3a959ca5aad62de7213c562f8c821/pulls`).query({ per_page: 100 }).reply(200, []);
  return scope;
}

export function expectAnswer(scope: nock.Scope, status = 204) {
  const seen: { body?: unknown } = {};
  scope.post(GATE, (body) => ((seen.body = body), true)).reply(status, status === 204 ? undefined : { message: "Server Error" });
  return seen;
}

export function environmentResponse(reviewers: object[], preventSelfReview = true) {
  return {
    id: 161088068,
    name: "production",
    protection_rules: [
      { id: 3736, node_id: "MDQ6R2F0ZTM3MzY=", type: "wait_timer", wait_timer: 0 },
      { id: 3755, node_id: "MDQ6R2F0ZTM3NTU=", type: "required_reviewers", prevent_self_review: preventSelfReview, reviewers },
    ],
  };
}
export const PLATFORM = { type: "Team", reviewer: { id: 1, node_id: "MDQ6VGVhbTE=", slug: "platform", name: "Platform" } };
