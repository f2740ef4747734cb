import type { Logger } from "probot";
import { decisionAuditRecord } from "../audit/audit-record.js";
import type { Octokit } from "../github/octokit.js";
import { POLICY_FILE } from "../policy/schema.js";
import type { AppDependencies } from "./dependencies.js";
import { recoverPayload } from "./payload-recovery.js";
import { PAYLOAD_SHAPES, type ShapedEvent } from "./payload-shapes.js";

interface DeliveryContext {
  id: string;
  name: string;
  payload: unknown;
  log: Logger;
  octokit: Octokit;
}

/**
 * Runs `handler` only on a payload of `event`'s shape. A payload of another
 * shape is first completed from GitHub's API where it can be
 * (`recoverPayload`; a failure to read escapes, so the delivery can be
 * redelivered); if it still is not of the shape, it is refused without a
 * call to GitHub: a warning naming the first problems and one critical audit
 * record (an event the app could not judge), after which the delivery
 * succeeds, as a redelivery would be refused the same way.
 */
export function withPayloadShape<C extends DeliveryContext>(deps: AppDependencies, event: ShapedEvent, handler: (context: C) => Promise<void>) {
  return async (context: C): Promise<void> => {
    const shape = PAYLOAD_SHAPES[event];
    let parsed = shape.safeParse(context.payload);
    if (!parsed.success && (await recoverPayload(event, context.octokit, context.payload))) {
      context.log.warn({ deliveryId: context.id }, `${event} payload is not what GitHub sends; what GitHub's API says is used instead`);
      parsed = shape.safeParse(context.payload);
    }
    if (parsed.success) return handler(context);
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`);
    const log = context.log.child({ deliveryId: context.id });
    log.warn({ problems }, `${event} payload is not what GitHub sends; not judged`);
    const payload = (context.payload ?? {}) as Record<string, unknown>;
    const repository = (payload.repository ?? {}) as Record<string, unknown>;
    const record = decisionAuditRecord(
      {
        time: deps.clock(),
        deliveryId: context.id,
        repository: typeof repository.full_name === "string" ? clip(repository.full_name) : "(unknown)",
        event: context.name,
        ...(typeof payload.action === "string" ? { action: clip(payload.action) } : {}),
      },
      {
        policy: { source: "repository", path: POLICY_FILE, ref: typeof repository.default_branch === "string" ? clip(repository.default_branch) : "(unknown)" },
        policyValid: true,
        response: "none",
        severity: "critical",
        error: `malformed ${event} payload: ${problems.join("; ")}`,
        extraRuleIds: ["facts-unavailable"],
      },
    );
    await deps.audit.write(log, record);
  };
}

/** Payload text in the record, cut so a huge value cannot bloat the log. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
