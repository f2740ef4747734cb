/**
 * An infrastructure failure while talking to GitHub. It always carries what we
 * were doing (`step`) and the underlying `cause`; handlers turn it into a
 * fail-closed check run, never into a pass.
 */
export class GitHubFactsError extends Error {
  readonly step: string;
  readonly status: number | undefined;

  constructor(step: string, options: { cause: unknown }) {
    const status = statusOf(options.cause);
    const detail = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`GitHub API failure while trying to ${step}${status ? ` (HTTP ${status})` : ""}: ${detail}`, options);
    this.name = "GitHubFactsError";
    this.step = step;
    this.status = status;
  }
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === "number") return status;
  }
  return undefined;
}

/** Runs one GitHub call, wrapping any failure with the step it belongs to. */
export async function step<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof GitHubFactsError) throw cause;
    throw new GitHubFactsError(name, { cause });
  }
}
