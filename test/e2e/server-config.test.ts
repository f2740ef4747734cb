import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { appKeyPair } from "../fixtures/github.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function start(env: Record<string, string>) {
  if (!existsSync(`${root}/dist/server.js`)) throw new Error("run `npm run build` first (npm test does)");
  return spawnSync(process.execPath, ["dist/server.js"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: "/tmp", PORT: "0", HOST: "127.0.0.1", ...env },
    encoding: "utf8",
    timeout: 10_000,
  });
}

describe("starting the server", () => {
  const { privateKey } = appKeyPair();

  it("refuses to start with credentials but no webhook secret, since signatures could not be verified", () => {
    const result = start({ APP_ID: "123", PRIVATE_KEY: privateKey });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("WEBHOOK_SECRET is not set");
  });

  it("refuses to start in production without credentials instead of entering setup mode", () => {
    const result = start({ NODE_ENV: "production", WEBHOOK_SECRET: "s" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set in production");
  });
});
