import type { ChainedAuditRecord } from "../audit/audit-chain.js";
import type { DriftFlag } from "./drift.js";
import { recordLinks, repositoryUrl } from "./github-links.js";
import { html, type Html } from "./html.js";
import type { PendingStepUp, IncidentRow, PostureRow, VerdictCounts } from "./inventory-data.js";
import type { InventoryAgent } from "./inventory-service.js";

export const VIEWS = [
  { path: "", title: "Agents" },
  { path: "activity", title: "Activity" },
  { path: "waiting", title: "Waiting for a human" },
  { path: "posture", title: "Posture" },
  { path: "drift", title: "Drift" },
] as const;

export interface PageContext {
  login: string;
  csrf: string;
  webUrl: string;
  now: Date;
}

export function layout(ctx: PageContext, current: string, body: Html): string {
  const title = VIEWS.find((v) => v.path === current)?.title ?? "Agent inventory";
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Agent inventory</title><link rel="stylesheet" href="/agent-policy/static/inventory.css"></head>
<body><header><p class="brand">Agent inventory</p>
<nav aria-label="Views"><ul>${VIEWS.map(
    (v) => html`<li><a href="/agent-policy/${v.path}"${v.path === current ? html` aria-current="page"` : ""}>${v.title}</a></li>`,
  )}</ul></nav>
<form method="post" action="/agent-policy/auth/signout" class="signout"><span>Signed in as ${ctx.login}</span>
<input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit">Sign out</button></form></header>
<main><h1>${title}</h1>${body}</main>
<script src="/agent-policy/static/inventory.js" defer></script></body></html>`.text;
}

const counts = (c: VerdictCounts) => html`<td class="num">${c.allow}</td><td class="num">${c.step_up}</td><td class="num">${c.deny}</td>`;

function filterBox(id: string, label: string): Html {
  return html`<p class="filter"><label for="${id}">${label}</label> <input type="search" id="${id}" data-filter-table="${id}"></p>`;
}

function repoLink(webUrl: string, repository: string): Html {
  const url = repositoryUrl(webUrl, repository);
  return url ? html`<a href="${url}">${repository}</a>` : html`${repository}`;
}

export function expiryState(expires: string | undefined, now: Date): "past" | "soon" | "ok" | "none" {
  if (!expires) return "none";
  const end = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T00:00:00Z`) + 86_400_000 : Date.parse(expires);
  if (!(end > now.getTime())) return "past";
  return end - now.getTime() <= 7 * 86_400_000 ? "soon" : "ok";
}

export function agentsView(ctx: PageContext, agents: InventoryAgent[]): Html {
  const organisations = [...new Set(agents.map((a) => a.organisation))];
  if (!organisations.length) return html`<p>No assistant has acted in a repository you can read.</p>`;
  return html`<p class="actions"><a href="/agent-policy/api/agents.csv" download>Download CSV</a> · <a href="/agent-policy/api/agents">JSON</a></p>
${filterBox("agents-filter", "Filter assistants")}
${organisations.map(
  (org) => html`<section><h2>${org}</h2><table data-filter="agents-filter" class="sortable"><caption>Assistants acting in ${org}</caption>
<thead><tr><th scope="col">Assistant</th><th scope="col">Owner</th><th scope="col">Declared in</th><th scope="col">Expires</th><th scope="col">Suspended</th><th scope="col">Last activity</th>
<th scope="col" class="num">Allow 7d</th><th scope="col" class="num">Step-up 7d</th><th scope="col" class="num">Deny 7d</th>
<th scope="col" class="num">Allow 30d</th><th scope="col" class="num">Step-up 30d</th><th scope="col" class="num">Deny 30d</th>
<th scope="col" class="num">Incidents</th><th scope="col">Active grants</th></tr></thead><tbody>
${agents
  .filter((a) => a.organisation === org)
  .map((a) => {
    const expiry = expiryState(a.expires, ctx.now);
    return html`<tr${a.registered ? "" : html` class="unregistered"`}><th scope="row">${a.agent}</th>
<td>${a.owner ?? html`<strong class="flag">no owner</strong>`}</td>
<td>${a.repositories.map((r, i) => html`${i ? ", " : ""}${repoLink(ctx.webUrl, r)}`)}</td>
<td data-sort="${a.expires ?? ""}">${a.expires ? html`<span class="expiry-${expiry}">${a.expires}${expiry === "past" ? " (expired)" : expiry === "soon" ? " (within 7 days)" : ""}</span>` : "—"}</td>
<td>${a.suspended ? html`<strong class="flag">suspended</strong>` : "no"}</td>
<td data-sort="${a.lastActivity}"><time datetime="${a.lastActivity}">${a.lastActivity.slice(0, 16).replace("T", " ")}</time></td>
${counts(a.last7)}${counts(a.last30)}<td class="num">${a.incidents}</td>
<td>${a.activeGrants.length ? a.activeGrants.map((g) => html`<div>${g.scope.join(", ")} by ${g.by}${g.pullRequest !== undefined ? html` on ${g.repository} #${String(g.pullRequest)}` : ""}${g.expires ? html` until ${g.expires}` : ""}</div>`) : "—"}</td></tr>`;
  })}</tbody></table></section>`,
)}`;
}

export interface ActivityOptions {
  repositories: string[];
  agents: string[];
  rules: string[];
  filter: Record<string, string>;
}

function select(name: string, label: string, values: string[], chosen: string | undefined): Html {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${values.map(
    (v) => html`<option${v === chosen ? html` selected` : ""}>${v}</option>`,
  )}</select></label>`;
}

export function activityView(ctx: PageContext, records: ChainedAuditRecord[], options: ActivityOptions, total: number): Html {
  const f = options.filter;
  return html`<form method="get" action="/agent-policy/activity" class="filters">
${select("repository", "Repository", options.repositories, f.repository)}
${select("agent", "Assistant", options.agents, f.agent)}
${select("decision", "Verdict", ["allow", "step_up", "deny", "error"], f.decision)}
${select("rule", "Rule", options.rules, f.rule)}
<label>Since <input type="date" name="since" value="${f.since ?? ""}"></label>
<label>Until <input type="date" name="until" value="${f.until ?? ""}"></label>
<button type="submit">Apply</button></form>
<p>${total} record${total === 1 ? "" : "s"}${total > records.length ? `, newest ${records.length} shown` : ""}.</p>
${filterBox("activity-filter", "Filter these rows")}
<table data-filter="activity-filter" class="sortable"><caption>Audit records, newest first</caption><thead><tr><th scope="col">Time</th><th scope="col">Repository</th><th scope="col">Event</th><th scope="col">Assistants</th>
<th scope="col">Verdict</th><th scope="col">Rules</th><th scope="col">On GitHub</th></tr></thead><tbody>
${records.map(
  (r) => html`<tr><td data-sort="${r.time}"><time datetime="${r.time}">${r.time.slice(0, 19).replace("T", " ")}</time></td><td>${repoLink(ctx.webUrl, r.repository)}</td>
<td>${r.event}${r.action ? `.${r.action}` : ""}</td><td>${r.agents.map((a) => a.key).join(", ")}</td>
<td><span class="verdict verdict-${r.decision}">${r.decision}</span></td><td>${r.ruleIds.join(", ")}</td>
<td>${recordLinks(ctx.webUrl, r).map((l, i) => html`${i ? " · " : ""}<a href="${l.url}">${l.label}</a>`)}</td></tr>`,
)}</tbody></table>`;
}

export function waitingView(ctx: PageContext, waiting: { stepUps: PendingStepUp[]; incidents: IncidentRow[] }): Html {
  const base = (r: string) => repositoryUrl(ctx.webUrl, r);
  return html`<section><h2>Pending step-ups</h2>${
    waiting.stepUps.length
      ? html`<table class="sortable"><caption>Pull requests whose latest decision asks for approval</caption><thead><tr><th scope="col">Pull request</th><th scope="col">Assistants</th><th scope="col">Approvers</th><th scope="col">Rules</th><th scope="col" class="num">Waiting (hours)</th></tr></thead><tbody>
${waiting.stepUps.map(
  (s) => html`<tr><td>${base(s.repository) ? html`<a href="${base(s.repository)}/pull/${s.pullRequest}">${s.repository}#${s.pullRequest}</a>` : html`${s.repository}#${s.pullRequest}`}</td>
<td>${s.agents.join(", ")}</td><td>${s.approvers.join(", ") || "—"}</td><td>${s.ruleIds.join(", ")}</td><td class="num" data-sort="${s.ageHours}">${s.ageHours}</td></tr>`,
)}</tbody></table>`
      : html`<p>Nothing waits for approval.</p>`
  }</section>
<section><h2>Incidents</h2>${
    waiting.incidents.length
      ? html`<table class="sortable"><caption>Incidents the app opened, newest first</caption><thead><tr><th scope="col">Time</th><th scope="col">Repository</th><th scope="col">Issue</th><th scope="col">Assistants</th><th scope="col">Rules</th></tr></thead><tbody>
${waiting.incidents.map(
  (i) => html`<tr><td data-sort="${i.time}">${i.time.slice(0, 16).replace("T", " ")}</td><td>${repoLink(ctx.webUrl, i.repository)}</td>
<td>${i.issueNumber !== undefined && base(i.repository) && Number.isSafeInteger(i.issueNumber) ? html`<a href="${base(i.repository)}/issues/${i.issueNumber}">#${i.issueNumber}</a>` : "—"}</td>
<td>${i.agents.join(", ")}</td><td>${i.ruleIds.join(", ")}</td></tr>`,
)}</tbody></table>`
      : html`<p>No incident was opened.</p>`
  }</section>`;
}

const yesNo = (v: boolean | "unknown") => (v === "unknown" ? html`<span class="unknown">unknown</span>` : v ? "yes" : html`<strong class="flag">no</strong>`);

export function postureView(ctx: PageContext, rows: PostureRow[]): Html {
  if (!rows.length) return html`<p>No repository you can read has been evaluated yet.</p>`;
  return html`${filterBox("posture-filter", "Filter repositories")}<table data-filter="posture-filter" class="sortable"><caption>Each repository's policy and check, as last read</caption><thead><tr><th scope="col">Repository</th><th scope="col">Policy present</th><th scope="col">Valid</th><th scope="col">Mode</th>
<th scope="col">Policy blob SHA</th><th scope="col">Required check</th><th scope="col">Baseline</th><th scope="col">Last evaluated</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr><td>${repoLink(ctx.webUrl, r.repository)}</td><td>${yesNo(r.policyPresent)}</td><td>${yesNo(r.policyValid)}</td><td>${r.mode ?? "—"}</td>
<td><code>${r.policySha ? r.policySha.slice(0, 12) : "—"}</code></td><td>${yesNo(r.requiredCheck)}</td><td>${r.baseline ?? "—"}</td><td data-sort="${r.lastEvaluated}">${r.lastEvaluated.slice(0, 16).replace("T", " ")}</td></tr>`,
)}</tbody></table>`;
}

export function driftView(_ctx: PageContext, flags: DriftFlag[]): Html {
  return html`<p>An assistant is flagged when its last 7 days depart from its own previous 30 days: denials or distinct paths touched per day at least 3 times the baseline's (and at least 5 in the week), or at least half its recent activity in hours of the day it never acted in before.</p>
${
  flags.length
    ? html`<table class="sortable"><caption>Assistants departing from their baseline</caption><thead><tr><th scope="col">Assistant</th><th scope="col">Signal</th><th scope="col" class="num">Recent</th><th scope="col" class="num">Baseline</th><th scope="col" class="num">Recent count</th><th scope="col" class="num">Baseline count</th></tr></thead><tbody>
${flags.flatMap((f) =>
  f.signals.map(
    (s) => html`<tr><th scope="row">${f.agent}</th><td>${s.metric}</td><td class="num">${s.recent}</td><td class="num">${s.baseline}</td><td class="num">${s.recentCount}</td><td class="num">${s.baselineCount}</td></tr>`,
  ),
)}</tbody></table>`
    : html`<p>No assistant departs from its baseline.</p>`
}`;
}
