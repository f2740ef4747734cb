import type { AuditRecord } from "../audit/audit-record.js";

const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The repository's page, or undefined when the name is not a GitHub repository name. */
export function repositoryUrl(webUrl: string, repository: string): string | undefined {
  if (!REPO.test(repository)) return undefined;
  const [owner, name] = repository.split("/") as [string, string];
  return `${webUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

export interface RecordLink {
  label: string;
  url: string;
}

/**
 * Where a record's subject lives on GitHub: its pull request, commit,
 * workflow run and incident issue. Built only from validated numbers, SHAs
 * and repository names, never from a URL a record carries.
 */
export function recordLinks(webUrl: string, record: AuditRecord): RecordLink[] {
  const base = repositoryUrl(webUrl, record.repository);
  if (!base) return [];
  const links: RecordLink[] = [];
  const positive = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
  if (positive(record.pullRequest)) links.push({ label: `#${record.pullRequest}`, url: `${base}/pull/${record.pullRequest}` });
  if (record.headSha && SHA.test(record.headSha)) links.push({ label: record.headSha.slice(0, 7), url: `${base}/commit/${record.headSha}` });
  if (positive(record.workflowRunId)) links.push({ label: `run ${record.workflowRunId}`, url: `${base}/actions/runs/${record.workflowRunId}` });
  if (positive(record.issueNumber)) links.push({ label: `issue #${record.issueNumber}`, url: `${base}/issues/${record.issueNumber}` });
  return links;
}
