import type { ApplicationFunction, Probot } from "probot";
import { createDependencies, type AppDependencies } from "./dependencies.js";
import { handlePullRequest, PULL_REQUEST_ACTIONS } from "./handlers/pull-request.js";

/** Registers the handlers; nothing else happens here. */
export function createApp(overrides: Partial<AppDependencies> = {}): ApplicationFunction {
  return (app: Probot) => {
    const deps = createDependencies(overrides);
    app.on(
      PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
      handlePullRequest(deps),
    );
    app.onError((error) => {
      app.log.error({ err: error }, "webhook handler failed; the event can be redelivered from the app's settings");
    });
  };
}

export default createApp();
