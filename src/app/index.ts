import type { ApplicationFunction, Probot } from "probot";
import { createDependencies, type AppDependencies } from "./dependencies.js";
import { handlePullRequest, PULL_REQUEST_ACTIONS } from "./handlers/pull-request.js";
import { handleCheckRun, handleCheckSuite, handlePullRequestReview } from "./handlers/re-evaluate.js";
import { handleMerge } from "./handlers/merge.js";
import { handlePush } from "./handlers/push.js";
import { handleDeploymentProtectionRule } from "./handlers/deployment-protection-rule.js";
import { handleWorkflowRun } from "./handlers/workflow-run.js";
import { handleMergeGroup } from "./handlers/merge-group.js";
import { assertWebhookSecretEnforced } from "../server/webhook-secret.js";
import { withPayloadShape } from "./with-payload-shape.js";
import { handleIssueComment, ISSUE_COMMENT_ACTIONS } from "./handlers/issue-comment.js";
import { respondToExpiry, walkInstallations } from "./expiry-response.js";

/**
 * Registers the handlers. First it refuses to run when webhooks would verify
 * with Probot's public default secret, however the app was started (`npm
 * start`, `probot run`, a `.env` file): forged events could otherwise turn
 * checks green.
 */
export function createApp(overrides: Partial<AppDependencies> = {}): ApplicationFunction {
  return async (app: Probot) => {
    await assertWebhookSecretEnforced(app.webhooks);
    const deps = createDependencies(overrides, app.log);
    const auth = (installationId?: number) => app.auth(installationId);
    deps.expiries?.start(walkInstallations(auth, deps, app.log), respondToExpiry(auth, deps, app.log));
    deps.grantSweep?.start(deps.audit.store, auth, deps);
    // Every handler sees only payloads of the shape it reads (see payload-shapes.ts).
    app.on(
      PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
      withPayloadShape(deps, "pull_request", handlePullRequest(deps)),
    );
    app.on(
      // An edit changes a review's text, never its state: not subscribed (see review-gate.ts).
      ["pull_request_review.submitted", "pull_request_review.dismissed"],
      withPayloadShape(deps, "pull_request_review", handlePullRequestReview(deps)),
    );
    app.on(["check_run.rerequested", "check_run.requested_action"], withPayloadShape(deps, "check_run", handleCheckRun(deps)));
    app.on("check_suite.rerequested", withPayloadShape(deps, "check_suite", handleCheckSuite(deps)));
    app.on("push", withPayloadShape(deps, "push", handlePush(deps)));
    app.on(["pull_request.closed", "pull_request.auto_merge_enabled"], withPayloadShape(deps, "pull_request", handleMerge(deps)));
    app.on("workflow_run.requested", withPayloadShape(deps, "workflow_run", handleWorkflowRun(deps)));
    app.on("merge_group.checks_requested", withPayloadShape(deps, "merge_group", handleMergeGroup(deps)));
    app.on("deployment_protection_rule.requested", withPayloadShape(deps, "deployment_protection_rule", handleDeploymentProtectionRule(deps)));
    app.on(
      ISSUE_COMMENT_ACTIONS.map((action) => `issue_comment.${action}` as const),
      withPayloadShape(deps, "issue_comment", handleIssueComment(deps)),
    );
    app.onError((error) => {
      // A payload whose signature did not verify was never handled: nothing to redeliver.
      if (/signature does not match/.test(error.message)) return;
      app.log.error({ err: error, deliveryId: error.event?.id }, "webhook handler failed; the event can be redelivered from the app's settings");
    });
  };
}

export default createApp();
