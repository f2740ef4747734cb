import type { GitHubHost } from "../server/config.js";

/** GitHub refused or failed a call made with the user's token; the page then shows nothing it would have scoped. */
export class GitHubUserError extends Error {
  override readonly name = "GitHubUserError";
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a signed-in user may read, as GitHub lists it: their installations of this app and those installations' repositories. */
export interface UserAccess {
  login: string;
  installations: { id: number; account: string }[];
  /** `owner/name`, lower-case. */
  repositories: Set<string>;
}

const MAX_PAGES = 50;

/** The OAuth web flow's endpoints and the user-token API calls, on github.com or a GHES host. */
export class GitHubUserApi {
  constructor(
    private readonly host: GitHubHost,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  authorizeUrl(state: string, redirectUri: string): string {
    const url = new URL(`${this.host.webUrl}/login/oauth/authorize`);
    url.searchParams.set("client_id", this.clientId);
    url.searchParams.set("redirect_uri", redirectUri);
    url.searchParams.set("state", state);
    url.searchParams.set("allow_signup", "false");
    return url.toString();
  }

  /** Exchanges the callback's code for a user access token. */
  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.host.webUrl}/login/oauth/access_token`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ client_id: this.clientId, client_secret: this.clientSecret, code, redirect_uri: redirectUri }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new GitHubUserError("could not reach GitHub to finish the sign-in", undefined, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
    if (!response.ok || typeof body.access_token !== "string" || !body.access_token) {
      throw new GitHubUserError(`GitHub refused the sign-in code${body.error ? ` (${body.error})` : ""}`, response.status);
    }
    return body.access_token;
  }

  private async get(token: string, path: string): Promise<{ body: any; next?: string }> {
    let response: Response;
    try {
      response = await fetch(path.startsWith("http") ? path : `${this.host.apiUrl}${path}`, {
        headers: { accept: "application/vnd.github+json", authorization: `Bearer ${token}`, "x-github-api-version": "2022-11-28" },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new GitHubUserError(`could not reach GitHub for ${path}`, undefined, { cause: error });
    }
    if (!response.ok) throw new GitHubUserError(`GitHub answered ${response.status} to ${path}`, response.status);
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    return { body: await response.json(), ...(next ? { next } : {}) };
  }

  async login(token: string): Promise<string> {
    const { body } = await this.get(token, "/user");
    if (typeof body?.login !== "string") throw new GitHubUserError("GitHub did not say who signed in");
    return body.login;
  }

  /** Every page of a list endpoint; `key` names the array inside each page. */
  private async all(token: string, path: string, key: string): Promise<any[]> {
    const items: any[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const result: { body: any; next?: string } = await this.get(token, next);
      if (!Array.isArray(result.body?.[key])) throw new GitHubUserError(`GitHub's answer to ${path} has no ${key}`);
      items.push(...result.body[key]);
      next = result.next;
    }
    return items;
  }

  /** The installations of this app the user can see, and every repository of each that the user can read. */
  async access(token: string, login: string): Promise<UserAccess> {
    const installations = await this.all(token, "/user/installations?per_page=100", "installations");
    const repositories = new Set<string>();
    const listed: UserAccess["installations"] = [];
    for (const installation of installations) {
      if (!Number.isInteger(installation?.id)) continue;
      listed.push({ id: installation.id, account: String(installation.account?.login ?? "") });
      for (const repo of await this.all(token, `/user/installations/${installation.id}/repositories?per_page=100`, "repositories")) {
        if (typeof repo?.full_name === "string") repositories.add(repo.full_name.toLowerCase());
      }
    }
    return { login, installations: listed, repositories };
  }
}
