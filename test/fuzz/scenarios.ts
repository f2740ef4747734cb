import { createRequire } from "node:module";
import { readFileSync, existsSync } from "node:fs";
import type { Probot } from "probot";
import { createApp } from "../../src/app/index.js";
import type { AppDependencies } from "../../src/app/dependencies.js";
import { COPILOT } from "../fixtures/github.js";
import { RE_EVALUATE_ACTION } from "../../src/report/check-run-output.js";
import { WORLD_HEAD } from "./github-world.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as { name: string; examples: Record<string, any>[] }[];

/** Every `event` or `event.action` the app subscribes to, as it registers them. */
export async function subscribedEvents(audit: AppDependencies["audit"]): Promise<string[]> {
  const names: string[] = [];
  const log = { child: () => log, info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined };
  const recorder = {
    on: (events: string | string[]) => names.push(...(Array.isArray(events) ? events : [events])),
    onAny: () => undefined,
    onError: () => undefined,
    log,
    // A secret of its own: the app refuses to register its handlers on Probot's default one.
    webhooks: { verify: async () => false },
  };
  await createApp({ audit })(recorder as unknown as Probot, {} as never);
  return [...new Set(names)].sort();
}

/** Keys whose value is an account that acted on the event (not the repository's owner or the organization). */
const ACTOR_KEYS = new Set(["sender", "user", "actor", "triggering_actor", "creator", "merged_by", "enabled_by"]);

/**
 * The unmutated payload of `subscribed` (`event` or `event.action`): a real
 * example from @octokit/webhooks-examples (one with the action when there is
 * one; else the event's first example with the action set), or the
 * repository's own fixture for events the examples lack; with an
 * installation, and every acting account replaced by the Copilot coding
 * agent, so that the world (see github-world.ts) has something to block.
 * `SHAPES` sets what an event needs beyond that to reach its handler's
 * decision (the app's own check run, a merged pull request, …).
 */
export function scenarioPayload(subscribed: string): { name: string; payload: Record<string, any> } {
  const [name, action] = subscribed.split(".") as [string, string | undefined];
  const group = examples.find((e) => e.name === name)?.examples ?? [];
  const withAction = group.filter((e) => action === undefined || e.action === action);
  const fixture = new URL(`../fixtures/events/${subscribed}.json`, import.meta.url);
  const found = withAction.find((e) => e.installation) ?? withAction[0] ?? group[0] ?? (existsSync(fixture) ? JSON.parse(readFileSync(fixture, "utf8")) : undefined);
  if (!found) throw new Error(`no example payload for ${subscribed}: add test/fixtures/events/${subscribed}.json`);
  const payload = structuredClone(found) as Record<string, any>;
  if (action !== undefined) payload.action = action;
  payload.installation ??= { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  agentify(payload);
  SHAPES[name]?.(payload);
  return { name, payload };
}

function agentify(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(agentify);
  if (node === null || typeof node !== "object") return;
  const object = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(object)) {
    if (ACTOR_KEYS.has(key) && value !== null && typeof value === "object" && "login" in value) object[key] = { ...value, ...COPILOT };
    else agentify(value);
  }
}

const SHAPES: Record<string, (payload: Record<string, any>) => void> = {
  pull_request: (p) => {
    p.pull_request.head.sha = WORLD_HEAD;
    p.pull_request.head.ref = "copilot/fix";
    if (p.action === "closed") Object.assign(p.pull_request, { merged: true, merged_by: COPILOT, merge_commit_sha: WORLD_HEAD });
    if (p.action === "auto_merge_enabled") p.pull_request.auto_merge = { enabled_by: COPILOT, merge_method: "squash", commit_title: null, commit_message: null };
  },
  pull_request_review: (p) => {
    p.pull_request.head.sha = WORLD_HEAD;
    // A person's standing review: a bot's, or a comment, cannot change the verdict and is not evaluated.
    p.review.user = { ...p.review.user, login: "octo-reviewer", id: 424242, type: "User" };
    p.review.state = p.action === "dismissed" ? "dismissed" : "approved";
  },
  check_run: (p) => {
    p.check_run.app = { ...p.check_run.app, id: 123 };
    p.check_run.head_sha = WORLD_HEAD;
    if (p.action === "requested_action") p.requested_action = { identifier: RE_EVALUATE_ACTION.identifier };
  },
  check_suite: (p) => {
    p.check_suite.head_sha = WORLD_HEAD;
  },
  push: (p) => {
    Object.assign(p, { ref: "refs/heads/copilot/fix", before: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", after: WORLD_HEAD, created: false, deleted: false, forced: false });
    p.pusher = { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" };
    for (const c of p.commits) Object.assign(c, { id: WORLD_HEAD, author: { ...p.pusher, username: "Copilot" }, committer: { ...p.pusher, username: "Copilot" } });
    p.head_commit = p.commits.at(-1) ?? null;
  },
  workflow_run: (p) => {
    Object.assign(p.workflow_run, { id: 4242, path: ".github/workflows/deploy.yml", head_sha: WORLD_HEAD, head_branch: "copilot/fix" });
  },
  issue_comment: (p) => {
    // A command on the world's pull request: the assistant asks for a scope it has not got (refused), or, edited or deleted, its pull request is judged again.
    p.issue = { ...p.issue, number: 1, state: "open", pull_request: { url: `https://api.github.com/repos/${p.repository.full_name}/pulls/1` } };
    p.comment = { ...p.comment, body: "/agent-policy grant copilot paths:src/auth/** for 1h because fuzz", updated_at: p.comment.created_at };
  },
  deployment_protection_rule: (p) => {
    p.deployment_callback_url = `https://api.github.com/repos/${p.repository.full_name}/actions/runs/4242/deployment_protection_rule`;
    p.environment = "production";
  },
};
