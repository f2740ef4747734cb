import type { RuleId } from "../engine/types.js";

/** OWASP Top 10 for Non-Human Identities (2025): the risk each id names. */
export const OWASP_NHI_2025 = {
  NHI1: "Improper Offboarding",
  NHI2: "Secret Leakage",
  NHI3: "Vulnerable Third-Party NHI",
  NHI4: "Insecure Authentication",
  NHI5: "Overprivileged NHI",
  NHI6: "Insecure Cloud Deployment Configurations",
  NHI7: "Long-Lived Secrets",
  NHI8: "Environment Isolation",
  NHI9: "NHI Reuse",
  NHI10: "Human Use of NHI",
} as const;
export type NhiRisk = keyof typeof OWASP_NHI_2025;

/** OWASP Top 10 for Agentic Applications (2026): the risk each id names. */
export const OWASP_AGENTIC_2026 = {
  ASI01: "Agent Goal Hijack",
  ASI02: "Tool Misuse and Exploitation",
  ASI03: "Identity and Privilege Abuse",
  ASI04: "Agentic Supply Chain Vulnerabilities",
  ASI05: "Unexpected Code Execution (RCE)",
  ASI06: "Memory & Context Poisoning",
  ASI07: "Insecure Inter-Agent Communication",
  ASI08: "Cascading Failures",
  ASI09: "Human-Agent Trust Exploitation",
  ASI10: "Rogue Agents",
} as const;
export type AgenticRisk = keyof typeof OWASP_AGENTIC_2026;

/** The NIST CSF 2.0 subcategories the rules give evidence for, with the outcome each stands for (our summary). */
export const NIST_CSF_2 = {
  "GV.PO-01": "a policy for managing cybersecurity risk is established and enforced",
  "ID.AM-02": "inventories of the software and services in use are maintained",
  "PR.AA-01": "identities and credentials of users and services are managed",
  "PR.AA-05": "access permissions are defined in policy, enforced and reviewed, with least privilege and separation of duties",
  "PR.DS-01": "data at rest is protected",
  "PR.PS-01": "configuration management practices are applied",
  "PR.PS-06": "secure software development practices are integrated and monitored",
  "PR.IR-01": "environments are protected from unauthorised logical access and use",
  "DE.CM-03": "personnel activity and technology usage are monitored",
  "DE.CM-09": "software, runtime environments and their data are monitored for adverse events",
  "RS.MA-01": "the incident response plan is executed once an incident is declared",
  "RS.MI-01": "incidents are contained",
} as const;
export type CsfSubcategory = keyof typeof NIST_CSF_2;

/** What a rule id is evidence for in each framework. An empty list: the framework has no risk this rule addresses. */
export interface FrameworkMapping {
  nhi: readonly NhiRisk[];
  asi: readonly AgenticRisk[];
  csf: readonly CsfSubcategory[];
}

/**
 * Every rule id's place in the three frameworks. A `Record` over `RuleId`,
 * so a rule id added to the engine without a mapping does not type-check.
 * Audit records carry these per finding; the README's rule table shows them.
 */
export const FRAMEWORK_MAPPING: Record<RuleId, FrameworkMapping> = {
  "policy-invalid": { nhi: [], asi: [], csf: ["GV.PO-01", "PR.PS-01"] },
  "policy-self-edit": { nhi: ["NHI5"], asi: ["ASI03", "ASI10"], csf: ["PR.AA-05", "PR.PS-01"] },
  "unregistered-agent": { nhi: ["NHI3"], asi: ["ASI03", "ASI10"], csf: ["ID.AM-02", "PR.AA-01"] },
  "agent-expired": { nhi: ["NHI1"], asi: ["ASI03"], csf: ["PR.AA-01", "PR.AA-05"] },
  "agent-suspended": { nhi: ["NHI1"], asi: ["ASI10"], csf: ["PR.AA-01", "RS.MI-01"] },
  "repo-scope": { nhi: ["NHI5", "NHI8"], asi: ["ASI03"], csf: ["PR.AA-05", "PR.IR-01"] },
  "write-by-suggest-only": { nhi: ["NHI5"], asi: ["ASI02", "ASI03"], csf: ["PR.AA-05"] },
  "unsafe-path": { nhi: ["NHI5"], asi: ["ASI02"], csf: ["PR.AA-05", "PR.DS-01"] },
  "secret-file": { nhi: ["NHI2"], asi: ["ASI03"], csf: ["PR.AA-05", "PR.DS-01"] },
  "secret-content": { nhi: ["NHI2"], asi: ["ASI03"], csf: ["PR.DS-01", "PR.PS-06"] },
  "unscannable-change": { nhi: ["NHI2"], asi: ["ASI04"], csf: ["PR.DS-01", "PR.PS-06", "DE.CM-09"] },
  "path-scope": { nhi: ["NHI5"], asi: ["ASI02", "ASI03"], csf: ["PR.AA-05"] },
  "branch-scope": { nhi: ["NHI5"], asi: ["ASI03"], csf: ["PR.AA-05"] },
  "governance-file": { nhi: ["NHI6"], asi: ["ASI01", "ASI04", "ASI06"], csf: ["PR.AA-05", "PR.PS-01"] },
  "step-up": { nhi: ["NHI5"], asi: ["ASI09"], csf: ["PR.AA-05"] },
  "too-large-to-verify": { nhi: [], asi: [], csf: ["DE.CM-09", "PR.PS-06"] },
  "facts-unavailable": { nhi: [], asi: [], csf: ["DE.CM-09"] },
  "re-evaluation-incomplete": { nhi: ["NHI1"], asi: [], csf: ["DE.CM-09", "PR.AA-05"] },
  "workflow-not-allowed": { nhi: ["NHI5", "NHI6"], asi: ["ASI02", "ASI05"], csf: ["PR.AA-05"] },
  "workflow-modified": { nhi: ["NHI5", "NHI6"], asi: ["ASI02", "ASI05"], csf: ["PR.AA-05", "PR.PS-01"] },
  "workflow-escalation": { nhi: ["NHI2", "NHI5", "NHI6"], asi: ["ASI03", "ASI05"], csf: ["PR.AA-05", "PR.PS-01"] },
  "environment-not-allowed": { nhi: ["NHI5", "NHI8"], asi: ["ASI03"], csf: ["PR.AA-05", "PR.IR-01"] },
  "environment-step-up": { nhi: ["NHI8"], asi: ["ASI09"], csf: ["PR.AA-05", "PR.IR-01"] },
  "push-to-protected-branch": { nhi: ["NHI5"], asi: ["ASI03", "ASI10"], csf: ["PR.AA-05", "DE.CM-03", "RS.MA-01"] },
  "merge-by-agent": { nhi: ["NHI5"], asi: ["ASI03", "ASI09"], csf: ["PR.AA-05", "DE.CM-03", "RS.MA-01"] },
};

/** The flat list of framework ids for a rule, as audit records carry it: NHI ids, then ASI ids, then CSF subcategories. */
export function controlsOf(ruleId: RuleId): string[] {
  const m = FRAMEWORK_MAPPING[ruleId];
  return [...m.nhi, ...m.asi, ...m.csf];
}

/** The union of several rules' framework ids, each framework in its own order. */
export function controlsOfAll(ruleIds: readonly RuleId[]): FrameworkMapping {
  const nhi = new Set<NhiRisk>();
  const asi = new Set<AgenticRisk>();
  const csf = new Set<CsfSubcategory>();
  for (const id of ruleIds) {
    const m = FRAMEWORK_MAPPING[id];
    m.nhi.forEach((x) => nhi.add(x));
    m.asi.forEach((x) => asi.add(x));
    m.csf.forEach((x) => csf.add(x));
  }
  const order = <T extends string>(all: Record<T, string>, picked: Set<T>) => (Object.keys(all) as T[]).filter((k) => picked.has(k));
  return { nhi: order(OWASP_NHI_2025, nhi), asi: order(OWASP_AGENTIC_2026, asi), csf: order(NIST_CSF_2, csf) };
}
