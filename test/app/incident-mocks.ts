import nock from "nock";
import { API, REPO_PATH } from "./harness.js";

export const LABEL = "agent-policy-incident";
const ISSUES_QUERY = { labels: LABEL, state: "open", per_page: 100 };

/** An open labelled issue as the issues API lists it; `body` holds the marker when it is the incident's. */
export function listedIssue(number: number, body: string, user: object = { login: "agent-policy[bot]", id: 900, type: "Bot" }) {
  return { number, html_url: `https://github.com/Codertocat/Hello-World/issues/${number}`, state: "open", title: "Agent policy incident", body, user, labels: [{ name: LABEL }] };
}

/** The open incident issues, one page per array (Link headers between them). */
export function mockIssueList(scope: nock.Scope, pages: object[][] = [[]]) {
  pages.forEach((items, i) => {
    const headers: Record<string, string> =
      i < pages.length - 1 ? { link: `<${API}${REPO_PATH}/issues?labels=${LABEL}&state=open&per_page=100&page=${i + 2}>; rel="next"` } : {};
    scope
      .get(`${REPO_PATH}/issues`)
      .query(i === 0 ? ISSUES_QUERY : { ...ISSUES_QUERY, page: i + 1 })
      .reply(200, items, headers);
  });
}

/** GET the label (200 when it exists, else 404) and, when missing, POST it; returns what was posted. */
export function mockLabel(scope: nock.Scope, exists: boolean) {
  const posted: { body?: Record<string, any> } = {};
  scope.get(`${REPO_PATH}/labels/${LABEL}`).reply(exists ? 200 : 404, exists ? { name: LABEL } : { message: "Not Found" });
  if (!exists) scope.post(`${REPO_PATH}/labels`, (b) => ((posted.body = b), true)).reply(201, { name: LABEL });
  return posted;
}

export function mockCreateIssue(scope: nock.Scope, status = 201) {
  const posted: { body?: Record<string, any> } = {};
  scope
    .post(`${REPO_PATH}/issues`, (b) => ((posted.body = b), true))
    .reply(status, status === 201 ? { number: 42, html_url: "https://github.com/Codertocat/Hello-World/issues/42" } : { message: "Server Error" });
  return posted;
}

export function mockComment(scope: nock.Scope, issue: number) {
  const posted: { body?: Record<string, any> } = {};
  scope.post(`${REPO_PATH}/issues/${issue}/comments`, (b) => ((posted.body = b), true)).reply(201, { id: 7 });
  return posted;
}

/** A new incident: no open issue, label missing and created, issue opened; returns the posted issue and label. */
export function mockNewIncident(scope: nock.Scope) {
  mockIssueList(scope);
  const label = mockLabel(scope, false);
  const issue = mockCreateIssue(scope);
  return { label, issue };
}
