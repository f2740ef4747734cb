import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { WEBHOOK_PATH } from "./webhook-endpoint.js";

/** The path GitHub sends the browser back to, with the code that yields the app's credentials. */
export const REGISTRATION_CALLBACK_PATH = "/setup/callback";

const APP_YML = new URL("../../app.yml", import.meta.url);

/** The subset of app.yml the registration reads; the file is the one place permissions and events are declared. */
interface AppYml {
  name: string;
  url: string;
  description?: string;
  public?: boolean;
  default_events: string[];
  default_permissions: Record<string, string>;
}

export function readAppYml(file: URL = APP_YML): AppYml {
  const data = parse(readFileSync(file, "utf8")) as AppYml;
  if (!data?.name || !data.url || !Array.isArray(data.default_events) || typeof data.default_permissions !== "object") {
    throw new Error("app.yml needs name, url, default_events and default_permissions");
  }
  return data;
}

/**
 * The GitHub App manifest (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest)
 * for an app served at `publicUrl`: the events and permissions of app.yml,
 * webhooks to `publicUrl` + /api/github/webhooks (where the server listens),
 * and `public: false` unless app.yml says otherwise — a private app can only
 * be installed on the account that owns it, which is why registration is done
 * for the organisation (GH_ORG).
 */
export function appManifest(publicUrl: string, app: AppYml = readAppYml()): Record<string, unknown> {
  return {
    name: app.name,
    url: app.url,
    ...(app.description ? { description: app.description } : {}),
    public: app.public === true,
    default_events: app.default_events,
    default_permissions: app.default_permissions,
    hook_attributes: { url: `${publicUrl}${WEBHOOK_PATH}`, active: true },
    redirect_url: `${publicUrl}${REGISTRATION_CALLBACK_PATH}`,
    request_oauth_on_install: false,
    setup_on_update: false,
  };
}

/** Where the browser posts the manifest: the organisation's "new GitHub App" page, or the user's without GH_ORG. */
export function newAppUrl(webUrl: string, org: string | undefined, state: string): string {
  const owner = org ? `/organizations/${encodeURIComponent(org)}` : "";
  return `${webUrl}${owner}/settings/apps/new?state=${encodeURIComponent(state)}`;
}
