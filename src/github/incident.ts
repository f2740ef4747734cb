import { INCIDENT_LABEL, incidentFingerprint, incidentMarker, renderIncidentComment, renderIncidentIssue, type Incident } from "../report/incident-issue.js";
import { GitHubFactsError, statusOf, step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

export interface IncidentIssue {
  issueNumber: number;
  url: string;
  /** False when the incident was added as a comment to its open issue. */
  created: boolean;
}

/**
 * Reports one incident as a GitHub issue labelled `agent-policy-incident`.
 *
 * An open issue of ours (opened by a bot account, which the app's issues are)
 * whose body carries the incident's fingerprint marker gets a comment instead
 * of a second issue; a closed one does not count, so a repeat after the issue
 * was handled opens a new one. Two deliveries racing on the same new incident
 * may open two issues: GitHub offers no atomic "create unless exists". Any API
 * failure is a `GitHubFactsError`; the caller audits it and lets it escape.
 */
export async function openOrUpdateIncident(octokit: Octokit, repo: RepoRef, incident: Incident): Promise<IncidentIssue> {
  const marker = incidentMarker(incidentFingerprint(incident));
  const open = await step(`list the open "${INCIDENT_LABEL.name}" issues`, () => findOpenIncident(octokit, repo, marker));
  if (open) {
    await step(`comment on incident issue #${open.number}`, () =>
      octokit.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: open.number, body: renderIncidentComment(incident) }),
    );
    return { issueNumber: open.number, url: open.html_url, created: false };
  }
  await ensureLabel(octokit, repo);
  const { title, body } = renderIncidentIssue(incident);
  const { data } = await step("open an incident issue", () =>
    octokit.rest.issues.create({ owner: repo.owner, repo: repo.repo, title, body, labels: [INCIDENT_LABEL.name] }),
  );
  return { issueNumber: data.number, url: data.html_url, created: true };
}

/** Pages through the open labelled issues (newest first) and stops at the first match. */
async function findOpenIncident(octokit: Octokit, repo: RepoRef, marker: string): Promise<{ number: number; html_url: string } | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    labels: INCIDENT_LABEL.name,
    state: "open",
    per_page: 100,
  });
  for await (const { data } of pages) {
    // The issues API lists pull requests too; a human-written issue cannot pose as ours by copying the marker.
    const hit = data.find((issue) => !issue.pull_request && issue.user?.type === "Bot" && (issue.body ?? "").includes(marker));
    if (hit) return hit;
  }
  return undefined;
}

/** Creates the label when it is missing; a 422 on create means another delivery created it meanwhile. */
async function ensureLabel(octokit: Octokit, repo: RepoRef): Promise<void> {
  try {
    await octokit.rest.issues.getLabel({ owner: repo.owner, repo: repo.repo, name: INCIDENT_LABEL.name });
    return;
  } catch (error) {
    if (statusOf(error) !== 404) throw new GitHubFactsError(`read the "${INCIDENT_LABEL.name}" label`, { cause: error });
  }
  try {
    await octokit.rest.issues.createLabel({ owner: repo.owner, repo: repo.repo, ...INCIDENT_LABEL });
  } catch (error) {
    if (statusOf(error) !== 422) throw new GitHubFactsError(`create the "${INCIDENT_LABEL.name}" label`, { cause: error });
  }
}
