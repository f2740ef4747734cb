import { applyEnvFile, ConfigError, readServerConfig, type ServerConfig } from "./server/config.js";
import { createLogger } from "./server/logger.js";

/**
 * `npm start`: serves webhooks on POST /api/github/webhooks when the app's
 * credentials are configured (environment variables, or `.env` in the working
 * directory; the environment wins), otherwise runs the registration flow that
 * creates the GitHub App from app.yml, writes `.env`, and then serves.
 *
 * Configuration problems (a missing or default webhook secret, a key that is
 * not a key, partial credentials, no credentials in production) stop the
 * process with exit code 1 before anything listens.
 */
function configure(): ServerConfig {
  applyEnvFile(process.cwd());
  return readServerConfig(process.env, process.cwd());
}

async function main(): Promise<void> {
  let config = configure();
  const log = createLogger(config.logLevel);
  // Loaded once the configuration is known to be usable: a configuration error is reported at once.
  const [{ register }, { serve }] = await Promise.all([import("./server/register.js"), import("./server/serve.js")]);
  if (config.mode === "register") {
    await register(config, log);
    config = configure();
    if (config.mode !== "serve") throw new ConfigError(["registration wrote .env, but it does not configure the app"]);
  }
  const server = await serve(config, log);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${signal} received`);
    const { unfinished } = await server.stop();
    if (unfinished.length) {
      log.error({ unfinished }, `stopped with ${unfinished.length} deliveries unfinished; redeliver them from the app's settings`);
    } else {
      log.info("stopped: every delivery in flight was finished");
    }
    log.flush(() => process.exit(unfinished.length ? 1 : 0));
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  console.error(message.startsWith("agent-policy:") ? message : `agent-policy: ${message}`);
  process.exit(1);
});
