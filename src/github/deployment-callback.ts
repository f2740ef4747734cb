import type { RepoRef } from "./octokit.js";

export type DeploymentCallback = { ok: true; runId: number } | { ok: false; reason: string };

const CALLBACK_PATH = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/([1-9][0-9]{0,15})\/deployment_protection_rule$/;

/**
 * The workflow run a `deployment_callback_url` names. GitHub sends
 * `{API base}/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`
 * (the API base is `https://api.github.com`, or `https://HOST/api/v3` on
 * GitHub Enterprise Server). The app answers a deployment only through that
 * endpoint of the event's own repository on the API it talks to, so the URL
 * must be exactly that — same scheme, host and port as `apiBaseUrl`, no
 * credentials, query or fragment, already in canonical form (no `..`, no
 * escapes), owner and name equal to the event's repository (case-insensitive)
 * — and anything else is refused: a deployment is never approved through a
 * URL the app did not expect.
 */
export function parseDeploymentCallback(url: string | undefined, expected: { apiBaseUrl: string; repo: RepoRef }): DeploymentCallback {
  const refuse = (why: string): DeploymentCallback => ({ ok: false, reason: `deployment_callback_url ${why}` });
  if (!url) return refuse("is missing");
  let parsed: URL;
  let base: URL;
  try {
    parsed = new URL(url);
    base = new URL(expected.apiBaseUrl);
  } catch {
    return refuse("is not a URL");
  }
  if (parsed.href !== url) return refuse("is not in canonical form");
  if (parsed.protocol !== base.protocol || parsed.host !== base.host) return refuse(`does not point at the GitHub API (${base.host})`);
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return refuse("carries credentials, a query or a fragment");
  const prefix = base.pathname.replace(/\/+$/, "");
  if (!parsed.pathname.startsWith(`${prefix}/`)) return refuse("is outside the GitHub API");
  const match = CALLBACK_PATH.exec(parsed.pathname.slice(prefix.length));
  if (!match) return refuse("is not a workflow run's deployment_protection_rule endpoint");
  const [, owner = "", name = "", runId = ""] = match;
  if (owner.toLowerCase() !== expected.repo.owner.toLowerCase() || name.toLowerCase() !== expected.repo.repo.toLowerCase()) {
    return refuse(`names another repository (${owner}/${name})`);
  }
  return { ok: true, runId: Number(runId) };
}
