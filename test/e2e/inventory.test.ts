import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieOf, HOSTILE, InventoryWorld } from "./inventory-fixture.js";

describe("the agent inventory, through the real server process", () => {
  const world = new InventoryWorld();
  let alice: string;

  beforeAll(async () => {
    await world.start();
    alice = await world.signIn("alice");
  }, 60_000);

  afterAll(() => world.stop());

  it("answers nothing without sign-in: pages redirect to sign-in, the API answers 401", async () => {
    for (const path of ["/agent-policy/", "/agent-policy/activity", "/agent-policy/waiting", "/agent-policy/posture", "/agent-policy/drift"]) {
      const response = await world.get(path);
      expect({ path, status: response.status, location: response.headers.get("location") }).toEqual({ path, status: 302, location: "/agent-policy/auth/signin" });
    }
    for (const path of ["/agent-policy/api/agents", "/agent-policy/api/agents.csv", "/agent-policy/api/activity", "/agent-policy/api/waiting", "/agent-policy/api/posture", "/agent-policy/api/drift"]) {
      expect({ path, status: (await world.get(path)).status }).toEqual({ path, status: 401 });
    }
    // A forged or altered cookie is no session.
    expect((await world.get("/agent-policy/api/agents", "forged")).status).toBe(401);
    // One character changed in the middle, where every bit counts (the last character of base64url may carry unused bits).
    const middle = Math.floor(alice.length / 2);
    const altered = `${alice.slice(0, middle)}${alice[middle] === "A" ? "B" : "A"}${alice.slice(middle + 1)}`;
    expect(altered).not.toBe(alice);
    expect((await world.get("/agent-policy/api/agents", altered)).status).toBe(401);
  });

  it("signs in through GitHub's OAuth web flow with a checked state and a sealed HttpOnly SameSite=Lax cookie", async () => {
    const start = await world.get("/agent-policy/auth/signin");
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.pathname).toBe("/login/oauth/authorize");
    expect(authorize.searchParams.get("client_id")).toBe(world.github.oauthClient.id);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${world.base}/agent-policy/auth/callback`);
    const state = authorize.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    const stateHeader = start.headers.getSetCookie().find((c) => c.startsWith("agent_policy_oauth_state="))!;
    expect(stateHeader).toMatch(/HttpOnly/);
    expect(stateHeader).toMatch(/SameSite=Lax/);
    expect(stateHeader).not.toMatch(/Secure/);

    // The right code with another browser's state (or none) is refused, and no session is set.
    const stateCookie = cookieOf(start, "agent_policy_oauth_state");
    const wrong = await fetch(`${world.base}/agent-policy/auth/callback?code=${world.github.issueOAuthCode("alice")}&state=${"x".repeat(43)}`, {
      redirect: "manual",
      headers: { cookie: `agent_policy_oauth_state=${stateCookie}` },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.getSetCookie().some((c) => c.startsWith("agent_policy_session="))).toBe(false);
    const noCookie = await fetch(`${world.base}/agent-policy/auth/callback?code=${world.github.issueOAuthCode("alice")}&state=${state}`, { redirect: "manual" });
    expect(noCookie.status).toBe(400);

    // The matching state completes the sign-in.
    const ok = await fetch(`${world.base}/agent-policy/auth/callback?code=${world.github.issueOAuthCode("alice")}&state=${state}`, {
      redirect: "manual",
      headers: { cookie: `agent_policy_oauth_state=${stateCookie}` },
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/agent-policy/");
    const session = ok.headers.getSetCookie().find((c) => c.startsWith("agent_policy_session="))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Path=\/agent-policy/);
    // The user token is sealed, never readable in the cookie.
    expect(Buffer.from(cookieOf(ok, "agent_policy_session"), "base64url").toString("latin1")).not.toContain("gho_");
    const page = await world.get("/agent-policy/", cookieOf(ok, "agent_policy_session"));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signed in as alice");
  });

  it("shows a user only the repositories GitHub says they can read", async () => {
    const activity = (await (await world.get("/agent-policy/api/activity", alice)).json()) as { records: { repository: string }[] };
    const repositories = new Set(activity.records.map((r) => r.repository));
    expect([...repositories].sort()).toEqual(["acme/api", "acme/web"]);
    const agents = (await (await world.get("/agent-policy/api/agents", alice)).json()) as { agents: { agent: string }[] };
    expect(agents.agents.map((a) => a.agent)).not.toContain("hidden-bot");
    expect(agents.agents.map((a) => a.agent)).not.toContain("other-bot");
    // A filter naming a repository one cannot read gives nothing, not its records.
    const probe = (await (await world.get("/agent-policy/api/activity?repository=acme/secret", alice)).json()) as { total: number };
    expect(probe.total).toBe(0);

    const mallory = await world.signIn("mallory");
    const theirs = (await (await world.get("/agent-policy/api/activity", mallory)).json()) as { records: { repository: string }[] };
    expect(theirs.records.map((r) => r.repository)).toEqual(["other/thing"]);
    const html = await (await world.get("/agent-policy/", mallory)).text();
    expect(html).not.toContain("copilot");
  });

  it("agents: owners, declaring repositories, expiry within 7 days, suspension, counts, incidents, unregistered flagged", async () => {
    const { agents } = (await (await world.get("/agent-policy/api/agents", alice)).json()) as { agents: any[] };
    const copilot = agents.find((a) => a.agent === "copilot");
    expect(copilot).toMatchObject({ organisation: "acme", owner: "@acme/platform", registered: true, repositories: ["acme/api"], suspended: false });
    expect(copilot.expires).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // #9 and #10 each asked for a step-up this week; #10 was then allowed.
    expect(copilot.last7).toEqual({ allow: 1, step_up: 2, deny: 6 });
    expect(copilot.last30.allow).toBeGreaterThan(copilot.last7.allow);
    expect(agents.find((a) => a.agent === "devin")).toMatchObject({ suspended: true, incidents: 1, owner: "@acme-lead" });
    const stranger = agents.find((a) => a.agent === HOSTILE);
    expect(stranger).toMatchObject({ registered: false, repositories: [] });
    expect(stranger.owner).toBeUndefined();

    const page = await (await world.get("/agent-policy/", alice)).text();
    expect(page).toContain("no owner");
    expect(page).toContain("(within 7 days)");
    expect(page).toContain("suspended");
    // Agent-controlled text is inert.
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
  });

  it("exports the agents table as CSV that a spreadsheet cannot run", async () => {
    const response = await world.get("/agent-policy/api/agents.csv", alice);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment/);
    const text = await response.text();
    expect(text.split("\r\n")[0]).toMatch(/^"organisation","assistant","owner"/);
    // "@acme/platform" would start a formula: it is prefixed with an apostrophe; no cell starts with = + - @.
    expect(text).toContain(`"acme","copilot","'@acme/platform"`);
    expect(text).not.toMatch(/(^|,)"[=+\-@]/m);
  });

  it("activity: filters by repository, agent, verdict, rule and time, with links built from the record", async () => {
    const get = async (query: string) => (await (await world.get(`/agent-policy/api/activity?${query}`, alice)).json()) as { total: number; records: any[] };
    const denies = await get("decision=deny&agent=copilot&rule=path-scope");
    expect(denies.total).toBe(6);
    expect(denies.records.every((r) => r.decision === "deny" && r.repository === "acme/api")).toBe(true);
    expect((await get("repository=acme/web")).records.map((r) => r.pullRequest)).toEqual([3]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await get(`since=${today}`)).records.every((r) => r.time.startsWith(today))).toBe(true);

    const page = await (await world.get("/agent-policy/activity?agent=devin", alice)).text();
    expect(page).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/acme\/api\/issues\/42"/);
    expect(page).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/acme\/api\/commit\/e{40}"/);
    const all = await (await world.get("/agent-policy/activity", alice)).text();
    expect(all).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/acme\/api\/pull\/7"/);
    expect(all).not.toContain(HOSTILE);
  });

  it("waiting: the pull request whose latest decision is a step-up, with its approvers; the incident", async () => {
    const waiting = (await (await world.get("/agent-policy/api/waiting", alice)).json()) as any;
    expect(waiting.stepUps.map((s: any) => `${s.repository}#${s.pullRequest}`)).toEqual(["acme/api#9"]);
    expect(waiting.stepUps[0]).toMatchObject({ approvers: ["octo-lead"] });
    expect(waiting.stepUps[0].ageHours).toBeGreaterThan(24);
    expect(waiting.incidents).toMatchObject([{ repository: "acme/api", issueNumber: 42 }]);
    const page = await (await world.get("/agent-policy/waiting", alice)).text();
    expect(page).toContain("octo-lead");
  });

  it("posture: policy present and valid, mode, blob SHA, required check from the rules API, unknown when GitHub will not say", async () => {
    const { repositories } = (await (await world.get("/agent-policy/api/posture", alice)).json()) as { repositories: any[] };
    const api = repositories.find((r) => r.repository === "acme/api");
    expect(api).toMatchObject({ policyPresent: true, policyValid: true, mode: "enforce", requiredCheck: true });
    expect(api.policySha).toMatch(/^[0-9a-f]{40}$/);
    expect(repositories.find((r) => r.repository === "acme/web")).toMatchObject({ policyPresent: false, requiredCheck: "unknown" });
    expect(repositories.map((r) => r.repository)).not.toContain("acme/secret");
    expect(world.github.requests.some((r) => r.path.startsWith("/repos/acme/api/rules/branches/main"))).toBe(true);
  });

  it("drift: flags copilot's jump in denials, paths and hours against its own month, with the numbers", async () => {
    const { flags } = (await (await world.get("/agent-policy/api/drift", alice)).json()) as { flags: any[] };
    const copilot = flags.find((f) => f.agent === "copilot");
    expect(copilot.signals.map((s: any) => s.metric).sort()).toEqual(["activity-hours", "denials", "touched-paths"]);
    expect(copilot.signals.find((s: any) => s.metric === "denials")).toMatchObject({ recentCount: 6, baselineCount: 0 });
    const page = await (await world.get("/agent-policy/drift", alice)).text();
    expect(page).toContain("touched-paths");
  });

  it("signs out only by a POST carrying the session's CSRF token", async () => {
    const session = await world.signIn("alice");
    const page = await (await world.get("/agent-policy/", session)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${world.base}/agent-policy/auth/signout`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: `agent_policy_session=${session}`, "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    expect((await world.get("/agent-policy/auth/signout", session)).status).toBe(405);
    expect((await post("csrf=wrong")).status).toBe(403);
    expect((await post(`csrf=${csrf}`, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const out = await post(`csrf=${csrf}`);
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().find((c) => c.startsWith("agent_policy_session="))).toMatch(/Max-Age=0/);
  });
});

describe("the agent inventory without SESSION_SECRET", () => {
  const world = new InventoryWorld();
  beforeAll(() => world.start({ SESSION_SECRET: "" }), 60_000);
  afterAll(() => world.stop());

  it("is disabled, says so in the log, and serves nothing", async () => {
    expect(world.app.logs.some((l) => /agent inventory at \/agent-policy\/ is disabled: SESSION_SECRET not set/.test(l.msg))).toBe(true);
    expect((await world.get("/agent-policy/")).status).toBe(404);
    expect((await world.get("/agent-policy/api/agents")).status).toBe(404);
  });
});
