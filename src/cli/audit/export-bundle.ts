import { createHash } from "node:crypto";
import type { ChainHead, ChainedAuditRecord } from "../../audit/audit-chain.js";

/** Marks the first line of a JSON-lines evidence bundle. */
export const BUNDLE_KIND = "agent-policy-audit-export";

/** The first line of a JSON-lines bundle: what was exported, from where, and the store's head at the time. */
export interface BundleHeader {
  bundle: typeof BUNDLE_KIND;
  bundleVersion: 1;
  exportedAt: string;
  source: string;
  since: string;
  until?: string;
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  /** The store's chain head when the bundle was made: check it with `agent-policy audit verify --head SEQ:HASH`. */
  chainHead?: ChainHead;
  /** SHA-256 of the record lines that follow, each with its newline. */
  recordsSha256: string;
}

/** A JSON-lines bundle: the header, then one record per line in chain order. */
export function jsonlBundle(records: readonly ChainedAuditRecord[], header: Omit<BundleHeader, "bundle" | "bundleVersion" | "records" | "firstSeq" | "lastSeq" | "recordsSha256">): string {
  const lines = records.map((r) => `${JSON.stringify(r)}\n`).join("");
  const full: BundleHeader = {
    bundle: BUNDLE_KIND,
    bundleVersion: 1,
    ...header,
    records: records.length,
    ...(records.length ? { firstSeq: records[0]!.seq, lastSeq: records[records.length - 1]!.seq } : {}),
    recordsSha256: createHash("sha256").update(lines, "utf8").digest("hex"),
  };
  return `${JSON.stringify(full)}\n${lines}`;
}

const CSV_COLUMNS: readonly [string, (r: ChainedAuditRecord) => unknown][] = [
  ["seq", (r) => r.seq],
  ["time", (r) => r.time],
  ["deliveryId", (r) => r.deliveryId],
  ["installationId", (r) => r.installationId],
  ["repository", (r) => r.repository],
  ["event", (r) => r.event],
  ["action", (r) => r.action],
  ["actor", (r) => r.actor?.login],
  ["agents", (r) => r.agents.map((a) => a.key).join(" ")],
  ["owners", (r) => [...new Set(r.agents.map((a) => a.owner).filter(Boolean))].join(" ")],
  ["decision", (r) => r.decision],
  ["mode", (r) => r.mode],
  ["ruleIds", (r) => r.ruleIds.join(" ")],
  ["owaspNhi", (r) => r.frameworks?.nhi.join(" ")],
  ["owaspAgentic", (r) => r.frameworks?.asi.join(" ")],
  ["nistCsf", (r) => r.frameworks?.csf.join(" ")],
  ["assets", (r) => r.assets?.join(" ")],
  ["approvers", (r) => r.approvers.join(" ")],
  ["approvedBy", (r) => r.approvals?.flatMap((a) => a.approvedBy).join(" ")],
  ["policySource", (r) => r.policy.source],
  ["policyPath", (r) => r.policy.path],
  ["policySha", (r) => r.policy.sha],
  ["policyValid", (r) => r.policy.valid],
  ["response", (r) => r.response],
  ["responded", (r) => r.responded],
  ["target", (r) => (r.target ? `${r.target.kind}:${r.target.id}` : undefined)],
  ["severity", (r) => r.severity],
  ["error", (r) => r.error],
  ["responseError", (r) => r.responseError],
  ["prevHash", (r) => r.prevHash],
  ["hash", (r) => r.hash],
];

/**
 * A CSV bundle for spreadsheets: `#` comment lines naming the export and the
 * chain head, a header row, then one row per record with its `seq` and
 * `hash` (what `verify --bundle` checks against the store).
 */
export function csvBundle(records: readonly ChainedAuditRecord[], header: { exportedAt: string; source: string; since: string; until?: string; chainHead?: ChainHead }): string {
  const comments = [
    `# ${BUNDLE_KIND} exportedAt=${header.exportedAt} since=${header.since}${header.until ? ` until=${header.until}` : ""} records=${records.length}`,
    `# chainHead seq=${header.chainHead?.seq ?? 0} hash=${header.chainHead?.hash ?? ""}`,
    `# source=${csvComment(header.source)}`,
  ];
  const rows = records.map((r) => CSV_COLUMNS.map(([, value]) => csvCell(value(r))).join(","));
  return [...comments, CSV_COLUMNS.map(([name]) => name).join(","), ...rows].join("\r\n") + "\r\n";
}

/**
 * One CSV cell: quoted when needed (RFC 4180), and with a leading `'` when it
 * would start like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR): agent-
 * controlled text such as a branch name must not become a formula when an
 * auditor opens the file.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvComment(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}

/** The rows of a CSV text (RFC 4180 quoting), skipping `#` comment lines outside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (atLineStart && !quoted && c === "#") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
      continue;
    }
    atLineStart = false;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ""), (atLineStart = true);
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}
