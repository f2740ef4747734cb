import { createPrivateKey } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { getPrivateKey } from "@probot/get-private-key";
import { webhookSecretProblem } from "./webhook-secret.js";

/** Where GitHub is: github.com, or a GitHub Enterprise Server. */
export interface GitHubHost {
  /** REST API base, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  /** Web base, e.g. `https://github.com`. */
  webUrl: string;
}

interface CommonConfig {
  host: string;
  port: number;
  logLevel: string;
  github: GitHubHost;
}

/** Credentials are present: serve webhooks. */
export interface ServeConfig extends CommonConfig {
  mode: "serve";
  appId: number;
  privateKey: string;
  webhookSecret: string;
  redisUrl?: string;
  /** False only for benchmarks against a fake GitHub: GitHub's rate limits still apply to a real one. */
  throttling: boolean;
  shutdownTimeoutMs: number;
}

/** No credentials yet: run the registration flow that creates the GitHub App. */
export interface RegisterConfig extends CommonConfig {
  mode: "register";
  /** The organisation that will own (and install) the app. */
  org?: string;
  /** The app's public base URL; without it, the address the browser used for the registration page. */
  publicUrl?: string;
  /** Where the credentials are written. */
  envFile: string;
}

export type ServerConfig = ServeConfig | RegisterConfig;

/** The configuration cannot be used; every problem is listed, none prints a secret. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`agent-policy: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** The variables that hold credentials: any of them set means the operator meant to serve, never to register. */
const CREDENTIAL_VARIABLES = ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET"] as const;

export const DEFAULT_PORT = 3000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * Loads `.env` from `cwd` into the process environment with Node's own dotenv
 * reader (`process.loadEnvFile`): a variable already set in the environment
 * wins over the file. Everything that reads configuration (the server, the
 * handlers, the audit store) then sees the same values.
 */
export function applyEnvFile(cwd: string): void {
  const file = join(cwd, ".env");
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (error) {
    throw new ConfigError([`.env could not be read: ${(error as Error).message}`]);
  }
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}

/**
 * Reads the server's configuration from `env` (already merged with `.env`).
 * With any credential variable set, all of them must be valid: a bad key or a
 * missing secret stops the server instead of falling back to registration.
 * Without credentials, registration runs unless NODE_ENV is `production`.
 */
export function readServerConfig(env: Record<string, string | undefined>, cwd: string): ServerConfig {
  const problems: string[] = [];
  const port = env.PORT === undefined || env.PORT === "" ? DEFAULT_PORT : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number, not "${env.PORT}"`);
  const protocol = env.GHE_PROTOCOL || "https";
  if (protocol !== "https" && protocol !== "http") problems.push(`GHE_PROTOCOL must be https or http, not "${protocol}"`);
  const github: GitHubHost = isSet(env.GHE_HOST)
    ? { apiUrl: `${protocol}://${env.GHE_HOST}/api/v3`, webUrl: `${protocol}://${env.GHE_HOST}` }
    : { apiUrl: "https://api.github.com", webUrl: "https://github.com" };
  if (isSet(env.LOG_FORMAT) && env.LOG_FORMAT !== "json") problems.push(`LOG_FORMAT "${env.LOG_FORMAT}" is not supported: logs are JSON lines`);
  const common: CommonConfig = { host: env.HOST || "localhost", port, logLevel: env.LOG_LEVEL || "info", github };

  if (!CREDENTIAL_VARIABLES.some((name) => isSet(env[name]))) {
    if (env.NODE_ENV === "production") {
      problems.push("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set in production; see README, 'Install on an organisation'");
    }
    if (isSet(env.PUBLIC_URL) && !/^https?:\/\/[^/]+/.test(env.PUBLIC_URL)) problems.push(`PUBLIC_URL must be an http(s) URL, not "${env.PUBLIC_URL}"`);
    if (problems.length) throw new ConfigError(problems);
    return {
      ...common,
      mode: "register",
      ...(isSet(env.GH_ORG) ? { org: env.GH_ORG } : {}),
      ...(isSet(env.PUBLIC_URL) ? { publicUrl: env.PUBLIC_URL.replace(/\/+$/, "") } : {}),
      envFile: join(cwd, ".env"),
    };
  }

  const appId = Number(env.APP_ID);
  if (!isSet(env.APP_ID)) problems.push("APP_ID is not set");
  else if (!Number.isInteger(appId) || appId <= 0) problems.push(`APP_ID must be the app's numeric id, not "${env.APP_ID}"`);

  let privateKey: string | undefined;
  if (!isSet(env.PRIVATE_KEY) && !isSet(env.PRIVATE_KEY_PATH)) {
    problems.push("PRIVATE_KEY or PRIVATE_KEY_PATH is not set");
  } else {
    try {
      // Probot's own reader: PEM, PEM with escaped newlines, or base64; or the file PRIVATE_KEY_PATH names.
      privateKey = getPrivateKey({ env: { PRIVATE_KEY: env.PRIVATE_KEY, PRIVATE_KEY_PATH: env.PRIVATE_KEY_PATH }, cwd }) ?? undefined;
      if (privateKey) createPrivateKey(privateKey);
    } catch {
      privateKey = undefined;
    }
    if (!privateKey) problems.push(`${isSet(env.PRIVATE_KEY) ? "PRIVATE_KEY" : `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`} does not hold a PEM private key`);
  }

  const secretProblem = webhookSecretProblem(env.WEBHOOK_SECRET);
  if (secretProblem) problems.push(secretProblem);

  const shutdownTimeoutMs = isSet(env.SHUTDOWN_TIMEOUT_MS) ? Number(env.SHUTDOWN_TIMEOUT_MS) : DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) problems.push(`SHUTDOWN_TIMEOUT_MS must be a number of milliseconds, not "${env.SHUTDOWN_TIMEOUT_MS}"`);
  const throttling = env.GITHUB_THROTTLING !== "false";
  if (isSet(env.REDIS_URL) && !/^rediss?:\/\//.test(env.REDIS_URL)) problems.push("REDIS_URL must start with redis:// or rediss://");

  if (problems.length || !privateKey) throw new ConfigError(problems);
  return {
    ...common,
    mode: "serve",
    appId,
    privateKey,
    webhookSecret: env.WEBHOOK_SECRET!,
    ...(isSet(env.REDIS_URL) ? { redisUrl: env.REDIS_URL } : {}),
    throttling,
    shutdownTimeoutMs,
  };
}
