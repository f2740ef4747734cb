import type { Logger } from "probot";
import { decisionAuditRecord, type AuditContext, type AuditRecord } from "../audit/audit-record.js";
import type { AuditTrail } from "../audit/audit-trail.js";
import type { Decision, RuleId } from "../engine/types.js";
import { GitHubFactsError } from "../github/errors.js";
import { openOrUpdateIncident } from "../github/incident.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import type { PolicySource } from "../report/check-run-output.js";
import type { IncidentSubject } from "../report/incident-issue.js";

/** Rule ids whose findings are incidents: the act has already happened, so the response is an issue. */
export type IncidentRuleId = Extract<RuleId, "push-to-protected-branch" | "merge-by-agent">;

export interface IncidentRequest {
  repo: RepoRef;
  decision: Decision;
  ruleId: IncidentRuleId;
  subject: IncidentSubject;
  policy: PolicySource;
  /** False when the policy could not be used and the agents were recognised from the catalogue only. */
  policyValid: boolean;
  audit: AuditContext;
  /** Keys the incident fingerprint (see `incidentFingerprint`). */
  markerKey: string;
  trail: AuditTrail;
  /** The audit fields that name the change. */
  where: Partial<Pick<AuditRecord, "ref" | "headSha" | "pullRequest">>;
}

/**
 * One incident issue (or a comment on its open issue) and one critical audit
 * record per agent with a `ruleId` finding; the record holds that agent's
 * findings only. Every incident is attempted. A failure is audited as an
 * error and, once all were attempted, the first is rethrown: Probot logs it
 * and the delivery fails, so it can be redelivered (the fingerprint then
 * finds the issue a partial attempt opened). Never a crash: Probot catches
 * handler errors.
 */
export async function raiseIncidents(octokit: Octokit, log: Logger, request: IncidentRequest): Promise<void> {
  const { decision } = request;
  const failures: unknown[] = [];
  for (const finding of decision.findings.filter((f) => f.ruleId === request.ruleId)) {
    const agent = decision.agents.find((a) => a.key === finding.agent);
    if (!agent) continue;
    const own: Decision = { ...decision, agents: [agent], findings: decision.findings.filter((f) => f.agent === agent.key) };
    const record = (extra: Partial<Pick<AuditRecord, "target" | "issueNumber" | "responseError">>) =>
      decisionAuditRecord(request.audit, {
        decision: own,
        policy: request.policy,
        policyValid: request.policyValid,
        response: "incident",
        severity: "critical",
        ...request.where,
        ...(request.policyValid ? {} : { extraRuleIds: ["policy-invalid"] }),
        ...(request.subject.kind === "pull_request" ? { assets: [`change:#${request.subject.number}`] } : { assets: [`branch:${request.subject.branch}`] }),
        ...extra,
      });
    try {
      const issue = await openOrUpdateIncident(octokit, request.repo, {
        finding,
        agent,
        subject: request.subject,
        policy: request.policy,
        markerKey: request.markerKey,
        deliveryId: request.audit.deliveryId,
        time: request.audit.time,
      });
      await request.trail.write(log, record({ target: { kind: "issue", id: issue.issueNumber, url: issue.url }, issueNumber: issue.issueNumber }), {
        issueCreated: issue.created,
      });
    } catch (error) {
      const message = error instanceof GitHubFactsError ? error.message : `internal error: ${(error as Error).message}`;
      await request.trail.write(log, record({ responseError: `could not report the incident: ${message}` }));
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
