import type { ActiveGrant, GrantLedger } from "../engine/grants/decide-grants.js";
import { scopeItems } from "../engine/grants/grant-command.js";
import { inert } from "./inert.js";

/** What the check says about task-scoped grants: those in force, and those that ended. */
export interface GrantReport {
  active: readonly ActiveGrant[];
  ended: GrantLedger["ended"];
  /** The grants could not be read (an API failure): none applied. */
  error?: string;
}

const MAX_ROWS = 20;

/** `2026-11-27 16:00 UTC`: an exact instant, in UTC, as people read it. */
export function utcTime(iso: string): string {
  const date = new Date(iso);
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)} UTC`;
}

/** The summary's "Task-scoped grants" section; empty when there is nothing to say. Every comment-borne value is inert. */
export function grantSection(report: GrantReport | undefined): string[] {
  if (!report || (report.active.length === 0 && report.ended.length === 0 && !report.error)) return [];
  const lines = ["", "#### Task-scoped grants", ""];
  if (report.error) lines.push(`The grants on this pull request could not be read, so none applies: ${inert(report.error)}`, "");
  if (report.active.length > 0) {
    lines.push("| Agent | Widens | Granted by | Until | Reason |", "|---|---|---|---|---|");
    for (const g of report.active.slice(0, MAX_ROWS)) {
      const scope = scopeItems(g.scope).map((s) => inert(s, "code", 300)).join(", ");
      lines.push(`| ${inert(g.agent, "code")} | ${scope} | ${inert(`@${g.by}`)} | ${utcTime(g.expires)} | ${inert(g.reason, "text", 300)} |`);
    }
    if (report.active.length > MAX_ROWS) lines.push(`| … | ${report.active.length - MAX_ROWS} more | | | |`);
    lines.push("", "A grant widens only the agent's allowed paths, branches, workflows and environments on this pull request; every other rule and step-up still applies.");
  }
  const ended = report.ended.slice(-5).map(({ grant, why }) => `${inert(grant.agent, "code")} by ${inert(`@${grant.by}`)} (${why}${why === "expired" ? ` at ${utcTime(grant.expires)}` : ""})`);
  if (ended.length > 0) lines.push("", `Ended: ${ended.join("; ")}.`);
  return lines;
}
