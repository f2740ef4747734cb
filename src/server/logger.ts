import { pino, type Logger } from "pino";
import type { DestinationStream } from "pino";

/** The longest message or string field a log line keeps; a line stays within a few KB. */
const MAX_TEXT = 1000;
/** How many errors of an aggregate (a delivery whose handlers failed) a line names. */
const MAX_INNER_ERRORS = 3;

export interface ErrorSummary {
  type: string;
  message: string;
  status?: number;
  /** `METHOD /path` of the GitHub request that failed, without its query. */
  route?: string;
  cause?: ErrorSummary;
  errors?: ErrorSummary[];
}

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

function routeOf(request: unknown): string | undefined {
  if (typeof request !== "object" || request === null) return undefined;
  const { method, url } = request as { method?: unknown; url?: unknown };
  if (typeof method !== "string" || typeof url !== "string") return undefined;
  try {
    return `${method} ${new URL(url, "http://github.invalid").pathname}`;
  } catch {
    return `${method} ${clip(url.split("?")[0] ?? "", 200)}`;
  }
}

/**
 * An error reduced to what an operator needs: type, message, HTTP status and
 * the GitHub route it came from. Never the webhook payload that
 * @octokit/webhooks attaches as `event`, nor request or response bodies and
 * headers (which carry tokens).
 */
export function summarizeError(error: unknown, depth = 0): ErrorSummary {
  if (!(error instanceof Error)) return { type: typeof error, message: clip(String(error)) };
  const summary: ErrorSummary = { type: error.name || error.constructor?.name || "Error", message: clip(error.message) };
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") summary.status = status;
  const route = routeOf((error as { request?: unknown }).request);
  if (route) summary.route = route;
  if (depth < 2 && error.cause !== undefined) summary.cause = summarizeError(error.cause, depth + 1);
  if (depth < 2 && error instanceof AggregateError) summary.errors = error.errors.slice(0, MAX_INNER_ERRORS).map((e) => summarizeError(e, depth + 1));
  return summary;
}

/**
 * The process's logger: JSON lines on stdout (the audit records among them),
 * at `level`. Errors anywhere in a line are summarised; long messages are cut.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      messageKey: "msg",
      serializers: { err: summarizeError, error: summarizeError },
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          // `log.error(error)` and `log.error(error, msg)`: the error goes under `err`, summarised.
          if (first instanceof Error) {
            const msg = typeof rest[0] === "string" ? rest[0] : first.message;
            return method.call(this, { err: first } as never, clip(msg));
          }
          const clipped = args.map((a) => (typeof a === "string" ? clip(a) : a));
          return method.apply(this, clipped as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
