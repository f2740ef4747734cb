import type { GitHubCallObserver } from "../server/metrics.js";

interface RequestOptions {
  method: string;
  url: string;
  conclusion?: unknown;
  [key: string]: unknown;
}

type Request = (options: RequestOptions) => Promise<{ status: number }>;

interface HookedOctokit {
  rest?: RestNamespaces;
  hook: { wrap(name: "request", wrapper: (request: Request, options: RequestOptions) => Promise<unknown>): void };
}

interface RouteTable {
  match(method: string, path: string): string | undefined;
}

type RestNamespaces = Record<string, Record<string, { endpoint?: { DEFAULTS?: { method?: string; url?: string } } }>>;

let table: RouteTable | undefined;

/** Every REST route Octokit knows (`octokit.rest.*`), by method and number of segments, most literal first. */
function routeTable(rest: RestNamespaces): RouteTable {
  const buckets = new Map<string, { pattern: RegExp; template: string; literal: number }[]>();
  const bucketOf = (method: string, path: string) => `${method} ${path.split("/").length}`;
  for (const namespace of Object.values(rest)) {
    for (const method of Object.values(namespace)) {
      const defaults = method.endpoint?.DEFAULTS;
      if (!defaults?.url || !defaults.method) continue;
      const source = defaults.url.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+");
      const key = bucketOf(defaults.method, defaults.url);
      const bucket = buckets.get(key) ?? [];
      bucket.push({ pattern: new RegExp(`^${source}$`), template: defaults.url, literal: defaults.url.replace(/\{[^}]+\}/g, "").length });
      buckets.set(key, bucket);
    }
  }
  for (const bucket of buckets.values()) bucket.sort((a, b) => b.literal - a.literal);
  return { match: (method, path) => buckets.get(bucketOf(method, path))?.find((r) => r.pattern.test(path))?.template };
}

/**
 * A GitHub API route as a template, so metrics have few label values:
 * endpoint methods pass it as written (`/repos/{owner}/{repo}/pulls/{pull_number}`);
 * a concrete URL (pagination builds one per page) is named by the REST route it matches.
 */
export function routeTemplate(method: string, url: string, rest?: RestNamespaces): string {
  if (!/^https?:\/\//.test(url)) return url.split("?")[0]!;
  let path: string;
  try {
    // GitHub's next-page links may name the repository by id (`/repositories/1296269/…`).
    path = new URL(url).pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/repositories\/\d+(?=\/)/, "/repos/-/-");
  } catch {
    return "unknown";
  }
  if (rest) {
    table ??= routeTable(rest);
    const template = table.match(method, path);
    if (template) return template;
  }
  return "other";
}

/**
 * An Octokit plugin that reports every API call to the `observer` option:
 * once per call as the app made it (it wraps the rate limiter and the
 * retries, so a queued call counts as pending until it is answered).
 */
export function observeRequests(octokit: HookedOctokit, options: { observer?: GitHubCallObserver }): Record<string, never> {
  const observer = options.observer;
  if (!observer) return {};
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const method = String(requestOptions.method).toUpperCase();
    const kind = method === "GET" || method === "HEAD" ? "read" : "write";
    const route = routeTemplate(method, requestOptions.url, octokit.rest);
    const conclusion = typeof requestOptions.conclusion === "string" ? requestOptions.conclusion : undefined;
    observer.started(kind);
    try {
      const response = await request(requestOptions);
      observer.finished({ kind, method, route, status: response.status, ...(conclusion ? { conclusion } : {}) });
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      observer.finished({ kind, method, route, status: typeof status === "number" ? status : "network" });
      throw error;
    }
  });
  return {};
}
