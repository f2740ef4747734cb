import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash, createVerify, type KeyObject } from "node:crypto";
import type { AddressInfo } from "node:net";

/**
 * A small in-memory GitHub REST API for end-to-end tests: the real app server
 * process is pointed at it with GHE_HOST/GHE_PROTOCOL, so every call it makes
 * (the app-token exchange included) lands here under /api/v3.
 */
export interface FakePull {
  pull: Record<string, unknown>;
  files: Record<string, unknown>[];
  commits: Record<string, unknown>[];
  reviews?: Record<string, unknown>[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** When each request arrived (ms since the epoch), in arrival order. */
  readonly timeline: { at: number; method: string; path: string }[] = [];
  readonly checkRuns: Record<string, unknown>[] = [];
  /** `owner/repo` → ref → path → content. */
  readonly contents = new Map<string, Map<string, Map<string, string>>>();
  readonly pulls = new Map<string, FakePull>();
  readonly labels: Record<string, unknown>[] = [];
  readonly issues: Record<string, any>[] = [];
  /** Issue and pull request comments: the app's (posted) and people's (added by a test), each with `repo` and `issue`. */
  readonly comments: Record<string, unknown>[] = [];
  /** `owner/repo#number` → its issue events (`GET …/issues/{n}/events`), oldest first. */
  readonly issueEvents = new Map<string, Record<string, unknown>[]>();
  readonly cancelledRuns: number[] = [];
  /** `owner/repo` → its branch activity, newest first (`GET /repos/{owner}/{repo}/activity`). */
  readonly activities = new Map<string, Record<string, unknown>[]>();
  /** Lower-case `org/team-slug` → its members (accounts). */
  readonly teams = new Map<string, Record<string, unknown>[]>();
  /** `owner/repo` + base...head → compare response. */
  readonly comparisons = new Map<string, Record<string, unknown>>();
  /** Manifest code → the app GitHub registers for it (POST /app-manifests/{code}/conversions, no authentication). */
  readonly manifestConversions = new Map<string, Record<string, unknown>>();
  /** OAuth app credentials the sign-in flow must present. */
  oauthClient = { id: "Iv1.fakeclient", secret: "fake-client-secret" };
  /** The user the next visit to /login/oauth/authorize signs in (a browser test's "click Authorize"). */
  authorizeAs: string | undefined;
  /** login → the installations (and their repositories) GitHub says the user can read. */
  readonly userInstallations = new Map<string, { id: number; account: string; repositories: string[] }[]>();
  /** `owner/repo` → the rules that apply to its default branch (GET /repos/{o}/{r}/rules/branches/{b}). */
  readonly branchRules = new Map<string, Record<string, unknown>[]>();
  private readonly oauthCodes = new Map<string, string>();
  private readonly userTokens = new Map<string, string>();
  private server: Server | undefined;
  private readonly failures = new Map<string, number>();
  private readonly delays = new Map<string, number>();
  private readonly token = "ghs_fake_installation_token_0000000000000";

  constructor(private readonly appPublicKey: KeyObject) {}

  setFile(repo: string, ref: string, path: string, content: string): void {
    const refs = this.contents.get(repo) ?? new Map<string, Map<string, string>>();
    const files = refs.get(ref) ?? new Map<string, string>();
    files.set(path, content);
    refs.set(ref, files);
    this.contents.set(repo, refs);
  }

  /** A code GitHub would hand the browser after `login` authorised the app. */
  issueOAuthCode(login: string): string {
    const code = `code_${login}_${this.oauthCodes.size + 1}_${Math.random().toString(36).slice(2)}`;
    this.oauthCodes.set(code, login);
    return code;
  }

  setPull(repo: string, number: number, pull: FakePull): void {
    this.pulls.set(`${repo}#${number}`, pull);
  }

  /** Every call to `path` is answered `ms` later from now on (a slow GitHub; a delivery stays in flight meanwhile). */
  delay(path: string, ms: number): void {
    this.delays.set(path, ms);
  }

  /** Every call to `path` answers with `status` from now on (an outage, a missing permission). */
  fail(path: string, status: number): void {
    this.failures.set(path, status);
  }

  /** Calls to `path` are answered normally again. */
  recover(path: string): void {
    this.failures.delete(path);
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const answer = () => {
          try {
            this.route(req, res, raw ? JSON.parse(raw) : undefined);
          } catch (error) {
            send(res, 500, { message: (error as Error).message });
          }
        };
        // Recorded on arrival, so a test can see a request that a delay keeps waiting.
        const url = new URL(req.url ?? "/", "http://fake");
        const path = url.pathname.replace(/^\/api\/v3/, "");
        const method = req.method ?? "GET";
        this.requests.push({ method, path: `${path}${url.search}`, body: raw ? safeJson(raw) : undefined });
        this.timeline.push({ at: Date.now(), method, path });
        const delay = this.delays.get(path);
        if (delay) setTimeout(answer, delay);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private route(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname.replace(/^\/api\/v3/, "");
    const method = req.method ?? "GET";
    const auth = req.headers.authorization ?? "";

    let m: RegExpMatchArray | null;
    if (method === "POST" && (m = path.match(/^\/app-manifests\/([^/]+)\/conversions$/))) {
      const app = this.manifestConversions.get(decodeURIComponent(m[1]!));
      this.manifestConversions.delete(decodeURIComponent(m[1]!));
      return app ? send(res, 201, app) : send(res, 404, { message: "Not Found" });
    }
    if (method === "POST" && (m = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      if (!this.validJwt(auth)) return send(res, 401, { message: "A JSON web token could not be decoded" });
      return send(res, 201, { token: this.token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
    }
    if (method === "GET" && path === "/app") {
      if (!this.validJwt(auth)) return send(res, 401, { message: "A JSON web token could not be decoded" });
      const failure = this.failures.get(path);
      return failure ? send(res, failure, { message: "Server Error" }) : send(res, 200, { id: 123, slug: "agent-policy", name: "agent-policy" });
    }
    if (method === "GET" && path === "/login/oauth/authorize") {
      const redirect = url.searchParams.get("redirect_uri");
      if (url.searchParams.get("client_id") !== this.oauthClient.id || !redirect || !this.authorizeAs) return send(res, 404, { message: "Not Found" });
      const target = new URL(redirect);
      target.searchParams.set("code", this.issueOAuthCode(this.authorizeAs));
      target.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (method === "POST" && path === "/login/oauth/access_token") {
      const { client_id, client_secret, code } = (body ?? {}) as Record<string, string>;
      if (client_id !== this.oauthClient.id || client_secret !== this.oauthClient.secret) return send(res, 200, { error: "incorrect_client_credentials" });
      const login = this.oauthCodes.get(code ?? "");
      this.oauthCodes.delete(code ?? "");
      if (!login) return send(res, 200, { error: "bad_verification_code" });
      const token = `gho_${login}_${this.userTokens.size + 1}`;
      this.userTokens.set(token, login);
      return send(res, 200, { access_token: token, token_type: "bearer", scope: "" });
    }
    const userLogin = this.userTokens.get(auth.replace(/^bearer /i, ""));
    if (userLogin !== undefined && (path === "/user" || path.startsWith("/user/"))) {
      if (method === "GET" && path === "/user") return send(res, 200, { login: userLogin, id: 1000 + this.userTokens.size, type: "User" });
      const installations = this.userInstallations.get(userLogin) ?? [];
      if (method === "GET" && path === "/user/installations") {
        return send(res, 200, { total_count: installations.length, installations: installations.map((i) => ({ id: i.id, account: { login: i.account } })) });
      }
      if (method === "GET" && (m = path.match(/^\/user\/installations\/(\d+)\/repositories$/))) {
        const installation = installations.find((i) => i.id === Number(m![1]));
        if (!installation) return send(res, 404, { message: "Not Found" });
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const repositories = installation.repositories.slice((page - 1) * perPage, page * perPage).map((full_name) => ({ full_name }));
        const headers: Record<string, string> = {};
        if (page * perPage < installation.repositories.length) {
          headers.link = `<http://${req.headers.host}/api/v3${path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        }
        return send(res, 200, { total_count: installation.repositories.length, repositories }, headers);
      }
      return send(res, 404, { message: "Not Found" });
    }
    if (auth !== `token ${this.token}`) return send(res, 401, { message: "Bad credentials" });
    const failure = this.failures.get(path);
    if (failure) {
      return send(res, failure, { message: failure === 403 ? "Resource not accessible by integration" : "Server Error" });
    }

    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/contents\/(.+)$/))) {
      const files = this.contents.get(m[1]!)?.get(url.searchParams.get("ref") ?? "");
      const filePath = decodeURIComponent(m[2]!);
      const content = files?.get(filePath);
      if (content === undefined) {
        const listing = files ? directoryListing(files, filePath) : [];
        return listing.length > 0 ? send(res, 200, listing) : send(res, 404, { message: "Not Found" });
      }
      const sha = gitBlobSha(content);
      if (req.headers["if-none-match"] === `"${sha}"`) return send(res, 304, undefined);
      return send(res, 200, { type: "file", path: filePath, sha, size: Buffer.byteLength(content), encoding: "base64", content: Buffer.from(content).toString("base64") }, { etag: `"${sha}"` });
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)$/))) {
      return send(res, 200, { full_name: m[1], default_branch: "main" });
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/rules\/branches\/(.+)$/))) {
      return send(res, 200, this.branchRules.get(m[1]!) ?? []);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)(\/files|\/commits|\/reviews)?$/))) {
      const pull = this.pulls.get(`${m[1]}#${m[2]}`);
      if (!pull) return send(res, 404, { message: "Not Found" });
      if (!m[3]) return send(res, 200, pull.pull);
      const items = m[3] === "/files" ? pull.files : m[3] === "/commits" ? pull.commits : (pull.reviews ?? []);
      return this.paged(req, res, url, items);
    }
    if (method === "POST" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/requested_reviewers$/))) {
      const pull = this.pulls.get(`${m[1]}#${m[2]}`);
      if (!pull) return send(res, 404, { message: "Not Found" });
      const { reviewers = [] } = body as { reviewers?: string[] };
      const requested = (pull.pull.requested_reviewers as { login: string }[] | undefined) ?? [];
      pull.pull.requested_reviewers = [...requested, ...reviewers.map((login) => ({ login, id: 0, type: "User" }))];
      return send(res, 201, pull.pull);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/activity$/))) {
      const wanted = url.searchParams.get("ref");
      return this.paged(req, res, url, (this.activities.get(m[1]!) ?? []).filter((a) => !wanted || a.ref === wanted));
    }
    if (method === "GET" && (m = path.match(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/))) {
      const members = this.teams.get(`${m[1]}/${m[2]}`.toLowerCase());
      return members ? this.paged(req, res, url, members) : send(res, 404, { message: "Not Found" });
    }
    if (method === "GET" && (m = path.match(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/))) {
      const user = decodeURIComponent(m[3]!).toLowerCase();
      const member = this.teams.get(`${m[1]}/${m[2]}`.toLowerCase())?.some((u) => String(u.login).toLowerCase() === user);
      return member ? send(res, 200, { state: "active", role: "member" }) : send(res, 404, { message: "Not Found" });
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/check-runs$/))) {
      const runs = this.checkRuns.filter((r) => r.repo === m![1] && r.head_sha === m![2] && r.name === url.searchParams.get("check_name"));
      return send(res, 200, { total_count: runs.length, check_runs: runs });
    }
    if (method === "POST" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/check-runs$/))) {
      const run = { id: this.checkRuns.length + 1, repo: m[1], app: { id: 123 }, ...(body as object) };
      this.checkRuns.push(run);
      return send(res, 201, run);
    }
    if (method === "PATCH" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/check-runs\/(\d+)$/))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![2]));
      if (!run) return send(res, 404, { message: "Not Found" });
      const output = (body as { output?: { annotations?: unknown[] } }).output;
      const previous = (run.output as { annotations?: unknown[] } | undefined)?.annotations ?? [];
      Object.assign(run, body, { output: { ...output, annotations: [...previous, ...(output?.annotations ?? [])] } });
      return send(res, 200, run);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/pulls$/))) {
      // The open pull requests whose head is the commit (GitHub also lists merged ones that brought it in).
      const sha = m[2]!;
      const held = [...this.pulls.entries()]
        .filter(([key, p]) => key.startsWith(`${m![1]}#`) && (p.pull.head as { sha?: string } | undefined)?.sha === sha)
        .map(([, p]) => p.pull);
      return this.paged(req, res, url, held);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/pulls$/))) {
      return send(res, 200, []);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/compare\/(.+)$/))) {
      const comparison = this.comparisons.get(`${m[1]}:${decodeURIComponent(m[2]!)}`);
      if (!comparison) return send(res, 404, { message: "Not Found" });
      const perPage = Number(url.searchParams.get("per_page") ?? 250);
      const page = Number(url.searchParams.get("page") ?? 1);
      const files = (comparison.files as unknown[]).slice((page - 1) * perPage, page * perPage);
      return send(res, 200, { ...comparison, files });
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/labels\/(.+)$/))) {
      const label = this.labels.find((l) => l.repo === m![1] && l.name === decodeURIComponent(m![2]!));
      return label ? send(res, 200, label) : send(res, 404, { message: "Not Found" });
    }
    if (method === "POST" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/labels$/))) {
      const label = { repo: m[1], ...(body as object) };
      this.labels.push(label);
      return send(res, 201, label);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/issues$/))) {
      const wanted = url.searchParams.get("labels");
      const open = this.issues.filter((i) => i.repo === m![1] && i.state === "open" && (!wanted || i.labels.some((l: { name: string }) => l.name === wanted)));
      return this.paged(req, res, url, open);
    }
    if (method === "POST" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/issues$/))) {
      const { labels = [], ...rest } = body as { labels?: string[] };
      const number = this.issues.length + 1;
      const issue = { repo: m[1], number, state: "open", html_url: `https://github.com/${m[1]}/issues/${number}`, labels: labels.map((name) => ({ name })), ...rest };
      this.issues.push(issue);
      return send(res, 201, issue);
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/))) {
      return this.paged(req, res, url, this.comments.filter((c) => c.repo === m![1] && c.issue === Number(m![2])));
    }
    if (method === "GET" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/events$/))) {
      return this.paged(req, res, url, this.issueEvents.get(`${m[1]}#${m[2]}`) ?? []);
    }
    if (method === "POST" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/))) {
      // Posted with an installation token: GitHub names the app that made it, and the time.
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const comment = {
        repo: m[1],
        issue: Number(m[2]),
        id: this.comments.length + 1,
        user: { login: "agent-policy[bot]", id: 9123, type: "Bot" },
        performed_via_github_app: { id: 123 },
        created_at: now,
        updated_at: now,
        ...(body as object),
      };
      this.comments.push(comment);
      return send(res, 201, comment);
    }
    if (method === "POST" && (m = path.match(/^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/cancel$/))) {
      this.cancelledRuns.push(Number(m[2]));
      return send(res, 202, {});
    }
    return send(res, 404, { message: `Not Found: ${method} ${path}` });
  }

  private paged(req: IncomingMessage, res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Number(url.searchParams.get("per_page") ?? 30);
    const page = Number(url.searchParams.get("page") ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set("page", String(page + 1));
      headers.link = `<http://${req.headers.host}/api/v3${url.pathname.replace(/^\/api\/v3/, "")}?${next.searchParams}>; rel="next"`;
    }
    send(res, 200, slice, headers);
  }

  private validJwt(auth: string): boolean {
    const jwt = auth.replace(/^bearer /i, "");
    const [header, payload, signature] = jwt.split(".");
    if (!header || !payload || !signature) return false;
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${header}.${payload}`);
    return verifier.verify(this.appPublicKey, Buffer.from(signature, "base64url"));
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** The entries directly under `dir`, as the contents API lists a directory: files by blob SHA, directories by a digest of what they hold. */
function directoryListing(files: Map<string, string>, dir: string): Record<string, unknown>[] {
  const prefix = `${dir}/`;
  const children = new Map<string, { type: string; sha: string }>();
  for (const [path, content] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!path.startsWith(prefix)) continue;
    const [name, ...rest] = path.slice(prefix.length).split("/");
    if (rest.length === 0) children.set(name!, { type: "file", sha: gitBlobSha(content) });
    else {
      const digest = createHash("sha1").update(children.get(name!)?.sha ?? "").update(`${rest.join("/")}\0${gitBlobSha(content)}`).digest("hex");
      children.set(name!, { type: "dir", sha: digest });
    }
  }
  return [...children.entries()].map(([name, entry]) => ({ name, path: `${prefix}${name}`, ...entry }));
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
