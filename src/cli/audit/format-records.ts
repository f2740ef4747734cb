import type { ChainedAuditRecord } from "../../audit/audit-chain.js";

/** C0 and C1 control characters (ESC, CSI…), which a terminal would act on. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Agent-controlled text made harmless for a terminal. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, "\ufffd");
}

/** One record per line, as JSON; C1 controls escaped too (JSON.stringify leaves them raw). */
export function jsonLine(record: ChainedAuditRecord): string {
  return `${JSON.stringify(record).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

const COLUMNS = ["seq", "time", "repository", "event", "decision", "agents", "rules", "response"] as const;

/** A fixed-width table for people; long cells are cut with an ellipsis. */
export function recordTable(records: readonly ChainedAuditRecord[]): string {
  const rows = records.map((r) => [
    String(r.seq),
    r.time.replace(/\.\d{3}Z$/, "Z"),
    r.repository,
    r.action ? `${r.event}.${r.action}` : r.event,
    r.decision,
    r.agents.map((a) => a.key).join(",") || "-",
    r.ruleIds.join(",") || "-",
    `${r.response}${r.responded === false ? " (FAILED)" : ""}`,
  ].map((cell) => cut(terminalSafe(cell), 48)));
  const header = COLUMNS.map((c) => c.toUpperCase());
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
