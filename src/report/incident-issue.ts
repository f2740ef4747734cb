import { createHmac } from "node:crypto";
import { describeRule } from "../engine/evaluate-policy.js";
import type { AgentActivity, Finding } from "../engine/types.js";
import type { PolicySource } from "./check-run-output.js";
import { inert } from "./inert.js";

/** The label every incident issue carries; the app creates it when the repository lacks it. */
export const INCIDENT_LABEL = {
  name: "agent-policy-incident",
  color: "b60205",
  description: "An AI assistant did what its policy forbids (raised by agent-policy)",
} as const;

/** Where the incident happened: a push to a ref, or a pull request. */
export type IncidentSubject =
  | { kind: "push"; ref: string; branch: string; sha: string; url: string }
  | { kind: "pull_request"; number: number; url: string; sha: string };

/** One incident: an incident finding (deny, e.g. `push-to-protected-branch`) of one agent, and its context. */
export interface Incident {
  finding: Finding;
  agent: AgentActivity;
  subject: IncidentSubject;
  policy: PolicySource;
  /** The app's secret that keys the fingerprint, so nobody else can write a marker the app would take for its own. */
  markerKey: string;
  deliveryId: string;
  time: Date;
}

const MAX_EVIDENCE = 20;
const TEXT_MAX = 4_000;
/** GitHub's limit for an issue title is 256 characters. */
const TITLE_MAX = 250;
/** Evidence names commit identities, which a commit can make arbitrarily long; cut each, so the body stays under GitHub's 65536 characters. */
const EVIDENCE_MAX = 300;

/**
 * The same incident repeated (same rule, agent and ref or pull request) has
 * the same fingerprint, so it is added to the open issue instead of opening
 * another. An HMAC under the app's secret: an agent that can open issues
 * cannot plant a decoy with the marker so that its incidents land as comments
 * in an issue it controls; and branch names cannot break the HTML comment.
 */
export function incidentFingerprint(incident: Incident): string {
  const where = incident.subject.kind === "push" ? incident.subject.ref : `pull/${incident.subject.number}`;
  const digest = createHmac("sha256", incident.markerKey).update([incident.finding.ruleId, incident.agent.key, where].join("\u0000")).digest("hex");
  return `${incident.finding.ruleId}/${digest.slice(0, 24)}`;
}

/** The hidden marker in the issue body that names the fingerprint. */
export function incidentMarker(fingerprint: string): string {
  return `<!-- agent-policy-incident:${fingerprint} -->`;
}

export function renderIncidentIssue(incident: Incident): { title: string; body: string } {
  const { finding, agent, subject, policy } = incident;
  // Issue titles are plain text, yet GitHub links `#12` and `owner/repo#12` in them: the branch goes in inert.
  const head = `Agent policy incident: ${finding.ruleId} by ${agent.key} on `;
  const title = head + (subject.kind === "push" ? inert(subject.branch, "plain", TITLE_MAX - head.length) : `#${subject.number}`);
  const lines = [
    incidentMarker(incidentFingerprint(incident)),
    `### Agent policy incident: ${inert(finding.ruleId, "code")}`,
    "",
    inert(finding.message, "text", TEXT_MAX),
    "",
    "| | |",
    "|---|---|",
    `| **Agent** | ${inert(agent.key, "code")} (${agent.declared ? "declared in the policy" : `${inert(agent.name)}, not registered`}) |`,
    `| **Owner** | ${ownerCell(agent)} |`,
    `| **Where** | ${whereCell(subject)} |`,
    `| **Rule** | ${inert(finding.ruleId, "code")}: ${describeRule(finding.ruleId)} |`,
    `| **Evidence** | ${evidenceCell(agent)} |`,
    `| **Policy** | ${inert(policy.path, "code")} on ${inert(policy.ref, "code")}${policy.sha ? ` (blob ${inert(policy.sha.slice(0, 12), "code")})` : ""} |`,
    `| **Detected** | ${incident.time.toISOString()} (delivery ${inert(incident.deliveryId, "code")}) |`,
    "",
    "#### What to do",
    "",
    inert(finding.remedy ?? "Review what the assistant did and undo what was not approved.", "text", TEXT_MAX),
    "",
    "A repeat of this incident is added below as a comment. Close this issue once it is handled; a later repeat then opens a new one.",
  ];
  return { title, body: lines.join("\n") };
}

/** A repeat of an open incident: when, what and where, and the owner is asked again. */
export function renderIncidentComment(incident: Incident): string {
  const { finding, agent, subject } = incident;
  return [
    `**Again** at ${incident.time.toISOString()} (delivery ${inert(incident.deliveryId, "code")}): ${inert(finding.message, "text", TEXT_MAX)}`,
    "",
    `- **Where:** ${whereCell(subject)}`,
    `- **Evidence:** ${evidenceCell(agent)}`,
    `- **Owner:** ${ownerCell(agent)}`,
  ].join("\n");
}

/** The owner is mentioned (it is validated as `@user` or `@org/team`), so GitHub notifies them. */
function ownerCell(agent: AgentActivity): string {
  return agent.owner ?? "none: the assistant is not registered in the policy, so nobody is accountable for it yet";
}

function whereCell(subject: IncidentSubject): string {
  if (subject.kind === "push") return `push to ${inert(subject.branch, "code", TEXT_MAX)} at ${link(inert(subject.sha.slice(0, 7), "code"), subject.url)}`;
  return `${link(`pull request #${subject.number}`, subject.url)} (head ${inert(subject.sha.slice(0, 7), "code")})`;
}

function evidenceCell(agent: AgentActivity): string {
  const shown = agent.evidence.slice(0, MAX_EVIDENCE).map((e) => inert(e.detail, "code", EVIDENCE_MAX));
  const more = agent.evidence.length - shown.length;
  return (shown.join("; ") || "—") + (more > 0 ? `; and ${more} more` : "");
}

/**
 * A link to the event's own compare or pull request URL; parentheses are
 * percent-encoded and anything else a URL does not hold leaves the label
 * unlinked, so the destination can never end the link early.
 */
function link(label: string, url: string): string {
  const safe = url.replace(/\(/g, "%28").replace(/\)/g, "%29");
  return /^https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'*+,;=%]+$/.test(safe) ? `[${label}](${safe})` : label;
}
