import { run } from "probot";
import app from "./app/index.js";

/**
 * Starts the app's HTTP server (webhooks at POST /api/github/webhooks).
 * Configured through environment variables only: APP_ID, PRIVATE_KEY or
 * PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, LOG_FORMAT, LOG_LEVEL,
 * GHE_HOST / GHE_PROTOCOL for GitHub Enterprise Server.
 *
 * Refuses to start without a webhook secret: unsigned webhooks would let
 * anyone forge events.
 */
if (!process.env.WEBHOOK_SECRET) {
  console.error("WEBHOOK_SECRET is not set: refusing to start, since webhook signatures could not be verified.");
  process.exit(1);
}
if (!process.env.APP_ID || !(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
  console.error("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set: see the README, 'Install on an organisation'.");
  process.exit(1);
}
process.env.NODE_ENV ??= "production";

await run(app);
