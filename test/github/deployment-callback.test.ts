import { describe, expect, it } from "vitest";
import { parseDeploymentCallback } from "../../src/github/deployment-callback.js";

const repo = { owner: "Codertocat", repo: "Hello-World" };
const DOTCOM = "https://api.github.com";
const GHES = "https://ghe.example.com/api/v3";
const path = "/repos/Codertocat/Hello-World/actions/runs/4242/deployment_protection_rule";

describe("parseDeploymentCallback", () => {
  it.each([
    ["github.com", DOTCOM, `${DOTCOM}${path}`],
    ["owner and name in another case", DOTCOM, `${DOTCOM}/repos/codertocat/hello-world/actions/runs/4242/deployment_protection_rule`],
    ["GitHub Enterprise Server", GHES, `${GHES}${path}`],
  ])("accepts %s", (_name, apiBaseUrl, url) => {
    expect(parseDeploymentCallback(url, { apiBaseUrl, repo })).toEqual({ ok: true, runId: 4242 });
  });

  it.each([
    ["a missing URL", undefined, "is missing"],
    ["not a URL", "runs/4242", "is not a URL"],
    ["another host", `https://api.github.com.evil.example${path}`, "does not point at the GitHub API (api.github.com)"],
    ["plain http", `http://api.github.com${path}`, "does not point at the GitHub API"],
    ["another port", `https://api.github.com:8443${path}`, "does not point at the GitHub API"],
    ["credentials", `https://user:pw@api.github.com${path}`, "carries credentials, a query or a fragment"],
    ["a query", `${DOTCOM}${path}?state=approved`, "carries credentials, a query or a fragment"],
    ["a fragment", `${DOTCOM}${path}#x`, "carries credentials, a query or a fragment"],
    ["dot segments", `${DOTCOM}/repos/octo-org/octo-repo/../../repos/Codertocat/Hello-World/actions/runs/4242/deployment_protection_rule`, "is not in canonical form"],
    ["escapes", `${DOTCOM}/repos/Codertocat/Hello%2DWorld/actions/runs/4242/deployment_protection_rule`, "names another repository (Codertocat/Hello%2DWorld)"],
    ["another repository", `${DOTCOM}/repos/Codertocat/Other/actions/runs/4242/deployment_protection_rule`, "names another repository (Codertocat/Other)"],
    ["another endpoint", `${DOTCOM}/repos/Codertocat/Hello-World/actions/runs/4242/pending_deployments`, "is not a workflow run's deployment_protection_rule endpoint"],
    ["a run id that is not a number", `${DOTCOM}/repos/Codertocat/Hello-World/actions/runs/0x10/deployment_protection_rule`, "is not a workflow run's"],
    ["a longer path", `${DOTCOM}${path}/extra`, "is not a workflow run's"],
  ])("refuses %s", (_name, url, reason) => {
    const result = parseDeploymentCallback(url, { apiBaseUrl: DOTCOM, repo });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it("refuses a github.com URL when the app talks to GitHub Enterprise Server", () => {
    expect(parseDeploymentCallback(`${DOTCOM}${path}`, { apiBaseUrl: GHES, repo })).toEqual({
      ok: false,
      reason: "deployment_callback_url does not point at the GitHub API (ghe.example.com)",
    });
    expect(parseDeploymentCallback(`https://ghe.example.com${path}`, { apiBaseUrl: GHES, repo })).toMatchObject({ ok: false, reason: expect.stringContaining("is outside the GitHub API") });
  });
});
