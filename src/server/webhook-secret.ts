import { createHmac } from "node:crypto";

/**
 * The secret Probot verifies webhooks with when none is configured. Anyone can
 * sign with it, so a server using it accepts forged events.
 */
export const PROBOT_DEFAULT_SECRET = "development";

/** Why `secret` cannot protect the webhook endpoint, or undefined when it can. */
export function webhookSecretProblem(secret: string | undefined): string | undefined {
  if (secret === undefined || secret.trim() === "") {
    return "WEBHOOK_SECRET is not set; refusing to start, since webhook signatures could not be verified";
  }
  if (secret === PROBOT_DEFAULT_SECRET) {
    return `WEBHOOK_SECRET is "${PROBOT_DEFAULT_SECRET}", Probot's public default; refusing to start, since anyone could sign webhooks with it`;
  }
  return undefined;
}

/** The app refused to run with a webhook secret anyone knows. */
export class WebhookSecretError extends Error {
  constructor(message: string) {
    super(`agent-policy: ${message}`);
    this.name = "WebhookSecretError";
  }
}

/**
 * Checks the secret the running Probot instance actually verifies with, however
 * it was configured (environment, `.env`, `probot run`): when a payload signed
 * with Probot's default secret verifies, the instance has no real secret.
 */
export async function assertWebhookSecretEnforced(webhooks: { verify(payload: string, signature: string): Promise<boolean> }): Promise<void> {
  const probe = '{"zen":"agent-policy secret probe"}';
  const signature = `sha256=${createHmac("sha256", PROBOT_DEFAULT_SECRET).update(probe).digest("hex")}`;
  if (await webhooks.verify(probe, signature)) {
    throw new WebhookSecretError(
      `the webhook secret in use is Probot's public default (WEBHOOK_SECRET unset, empty or "${PROBOT_DEFAULT_SECRET}"); refusing to run, since anyone could sign webhooks with it`,
    );
  }
}
