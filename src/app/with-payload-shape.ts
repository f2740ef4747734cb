import type { Logger } from "probot";
import { decisionAuditRecord, type AuditResponse } from "../audit/audit-record.js";
import { cancelWorkflowRun } from "../github/cancel-workflow-run.js";
import { GitHubFactsError } from "../github/errors.js";
import { limitReads } from "../github/read-budget.js";
import type { Octokit } from "../github/octokit.js";
import { POLICY_FILE } from "../policy/schema.js";
import type { AppDependencies } from "./dependencies.js";
import { recoverPayload } from "./payload-recovery.js";
import { PAYLOAD_SHAPES, RUN_ADDRESS, type ShapedEvent } from "./payload-shapes.js";

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
 * (`recoverPayload`). If it still is not of the shape, or GitHub could not
 * answer, the event is not judged, which fails closed: a workflow run the
 * payload still names is cancelled (no check run or answer is posted for the
 * other events, so what they would have allowed stays blocked), and one
 * critical audit record says why. A failed cancellation escapes, so the
 * delivery can be redelivered; otherwise the delivery succeeds.
 */
export function withPayloadShape<C extends DeliveryContext>(deps: AppDependencies, event: ShapedEvent, handler: (context: C) => Promise<void>) {
  return async (context: C): Promise<void> => {
    // Every handler runs on a client that refuses reads past the event's budget.
    limitReads(context.octokit, deps.readsPerEvent);
    const log = context.log.child({ deliveryId: context.id });
    const shape = PAYLOAD_SHAPES[event];
    let parsed = shape.safeParse(context.payload);
    let unreadable: string | undefined;
    if (!parsed.success) {
      try {
        if (await recoverPayload(event, context.octokit, context.payload)) {
          log.warn(`${event} payload is not what GitHub sends; what GitHub's API says is used instead`);
          parsed = shape.safeParse(context.payload);
        }
      } catch (error) {
        if (!(error instanceof GitHubFactsError)) throw error;
        unreadable = error.message;
      }
    }
    if (parsed.success) return handler(context);

    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`);
    log.warn({ problems }, `${event} payload is not what GitHub sends; not judged`);
    const payload = (context.payload ?? {}) as Record<string, unknown>;
    const repository = (payload.repository ?? {}) as Record<string, unknown>;
    const run = event === "workflow_run" ? RUN_ADDRESS.safeParse(payload) : undefined;
    let response: AuditResponse = "none";
    let responseError: unknown;
    if (run?.success) {
      response = "cancel_workflow_run";
      const { repository: where, workflow_run } = run.data;
      try {
        await cancelWorkflowRun(context.octokit, { owner: where.owner.login, repo: where.name }, workflow_run.id);
      } catch (error) {
        responseError = error;
      }
    }
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
        response,
        severity: "critical",
        error: `malformed ${event} payload: ${problems.join("; ")}${unreadable ? `; ${unreadable}` : ""}`,
        extraRuleIds: ["facts-unavailable"],
        ...(run?.success ? { workflowRunId: run.data.workflow_run.id, target: { kind: "workflow_run", id: run.data.workflow_run.id } } : {}),
        ...(responseError !== undefined ? { responseError: `could not cancel the run: ${(responseError as Error).message}` } : {}),
      },
    );
    await deps.audit.write(log, record);
    if (responseError !== undefined) throw responseError;
  };
}

/** Payload text in the record, cut so a huge value cannot bloat the log. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
