import type { GrantOutcome } from "../engine/grants/decide-grants.js";
import { scopeItems } from "../engine/grants/grant-command.js";
import { utcTime } from "./grant-summary.js";
import { inert } from "./inert.js";

/**
 * The app's one answer to a command comment, starting with the hidden marker
 * that ties it to the command (so a redelivered event finds it and posts no
 * second one). Everything that came from a comment — agent, scope, reason,
 * logins — is made inert: no mention, link or reference.
 */
export function renderGrantReply(marker: string, outcome: GrantOutcome): string {
  const lines = [marker];
  switch (outcome.status) {
    case "granted": {
      const g = outcome.grant;
      lines.push(
        `**Granted** to ${inert(g.agent, "code")} on this pull request only, by ${inert(`@${g.by}`)}, until **${utcTime(g.expires)}**:`,
        "",
        ...scopeItems(g.scope).map((item) => `- ${inert(item, "code", 300)}`),
        "",
        `Reason: ${inert(g.reason, "text", 300)}`,
        "",
        "It widens the agent's allowed paths, branches, workflows and environments only: secret files and content, the policy file, protected branches, workflow changes and every step-up still apply. It ends at that time, on `/agent-policy revoke`, or when the pull request closes.",
      );
      break;
    }
    case "revoked":
      lines.push(
        outcome.ended.length > 0
          ? `**Revoked** by ${inert(`@${outcome.by}`)}: ${outcome.ended.length === 1 ? "the grant" : `${outcome.ended.length} grants`} to ${inert(outcome.agent, "code")} on this pull request ended.`
          : `**Revoked** by ${inert(`@${outcome.by}`)}: ${inert(outcome.agent, "code")} held no grant on this pull request.`,
      );
      break;
    case "refused":
      lines.push(`**Refused:** ${inert(outcome.reason, "text", 1000)}`, "", "Nothing was granted; the check is unchanged.");
      break;
  }
  return lines.join("\n");
}

/** The answer when the command could not be decided at all (the policy is unreadable or invalid). */
export function renderUndecidedReply(marker: string, why: string): string {
  return [marker, `**Refused:** ${inert(why, "text", 1000)}`, "", "Nothing was granted."].join("\n");
}
