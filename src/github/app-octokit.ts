import { ProbotOctokit } from "probot";
import type { GitHubCallObserver } from "../server/metrics.js";
import { observeRequests } from "./observe-requests.js";

interface InstanceOptions {
  auth?: { installationId?: number | string };
  throttle?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The key of an installation's request queues in the rate limiter (also their name in Redis). */
export function throttleId(installationId: number | string): string {
  return `installation-${installationId}`;
}

/**
 * Probot's Octokit with the rate limiter's queues kept per installation.
 *
 * @octokit/plugin-throttling spaces writes one second apart per queue `id`,
 * and Probot gives every installation's client the same default id, so all
 * organisations served by one process would share one write a second. GitHub
 * counts its limits per installation: each installation gets its own queues
 * here, so N installations get N writes a second and one busy organisation
 * never delays another. With REDIS_URL, Probot clusters these queues in Redis
 * and every instance shares them.
 *
 * A function default, not an object: Probot merges its own throttle options in
 * at construction, which would replace an object default wholesale.
 *
 * With an `observer`, every API call is reported to it (the metrics).
 */
export function appOctokit(options: { throttling: boolean; observer?: GitHubCallObserver }): typeof ProbotOctokit {
  const Observed = ProbotOctokit.plugin(observeRequests as never) as typeof ProbotOctokit;
  return Observed.defaults((instance: InstanceOptions) => {
    const installationId = instance.auth?.installationId;
    return {
      ...instance,
      ...(options.observer ? { observer: options.observer } : {}),
      throttle: {
        ...instance.throttle,
        ...(installationId !== undefined ? { id: throttleId(installationId) } : {}),
        ...(options.throttling ? {} : { enabled: false }),
      },
    };
  });
}
