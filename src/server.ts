import { run } from "probot";
import app from "./app/index.js";

/**
 * Starts the app's HTTP server (webhooks at POST /api/github/webhooks).
 * Configured through environment variables (or a `.env` file) only: APP_ID,
 * PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, LOG_FORMAT,
 * LOG_LEVEL, and GHE_HOST / GHE_PROTOCOL for GitHub Enterprise Server.
 *
 * With credentials it runs in production mode and refuses to start without a
 * webhook secret (unsigned webhooks would let anyone forge events). Without
 * credentials, outside production, Probot's registration flow registers the
 * app from app.yml and writes `.env`.
 */
const hasCredentials = Boolean(process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH));

if (hasCredentials) {
  if (!process.env.WEBHOOK_SECRET) {
    console.error("agent-policy: WEBHOOK_SECRET is not set; refusing to start, since webhook signatures could not be verified.");
    process.exit(1);
  }
  process.env.NODE_ENV ??= "production";
} else if (process.env.NODE_ENV === "production") {
  console.error("agent-policy: APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set in production; see README, 'Install on an organisation'.");
  process.exit(1);
} else {
  console.error("agent-policy: no app credentials yet; open the printed address to register the app from app.yml (writes .env).");
}

await run(app);
