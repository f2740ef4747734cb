import type nock from "nock";
import { REPO_PATH } from "./harness.js";
import { HEAD } from "./mocks.js";

/**
 * The "Agent Policy" check runs GitHub holds, kept across events (and across
 * app processes: a test may hand the same store to a second harness). Each
 * mock answers from what is stored when the request arrives, as GitHub would.
 */
export class CheckRuns {
  readonly runs: Record<string, any>[] = [];
  private nextId = 77;

  /** Runs of this app (id 123) and of other apps, as `checks.listForRef` lists them for `sha`. */
  list(scope: nock.Scope, sha = HEAD, filter: "latest" | "all" = "latest"): void {
    scope
      .get(`${REPO_PATH}/commits/${sha}/check-runs`)
      .query({ check_name: "Agent Policy", filter, per_page: 100 })
      .reply(() => {
        const runs = this.on(sha);
        return [200, { total_count: runs.length, check_runs: runs }];
      });
  }

  /** `checks.listForRef` failing with `status`. */
  listFails(scope: nock.Scope, status: number, sha = HEAD): void {
    scope.get(`${REPO_PATH}/commits/${sha}/check-runs`).query({ check_name: "Agent Policy", filter: "latest", per_page: 100 }).reply(status, { message: "Server Error" });
  }

  /** Called with each run the app creates. */
  onCreate: (run: Record<string, any>) => void = () => {};

  /** One `checks.create` by the app (optional: the test passes without it being made); the body is stored as the run. */
  create(scope: nock.Scope, optional = false): void {
    const interceptor = scope.post(`${REPO_PATH}/check-runs`);
    if (optional) interceptor.optionally();
    interceptor.reply((_uri, body) => {
      const run = { id: this.nextId++, app: { id: 123 }, ...(body as object) };
      this.runs.push(run);
      this.onCreate(run);
      return [201, run];
    });
  }

  /** A run another app created (anyone with Checks: write can name a run "Agent Policy"). */
  addForeign(run: Record<string, any>): void {
    this.runs.push({ id: this.nextId++, app: { id: 999 }, name: "Agent Policy", status: "completed", head_sha: HEAD, ...run });
  }

  on(sha: string): Record<string, any>[] {
    return this.runs.filter((r) => r.head_sha === sha);
  }

  /** What branch protection sees: the newest run of this app on `sha`. */
  verdict(sha = HEAD): Record<string, any> {
    const ours = this.on(sha).filter((r) => r.app.id === 123);
    const run = ours.at(-1);
    if (!run) throw new Error(`no run of the app on ${sha}`);
    return run;
  }
}
