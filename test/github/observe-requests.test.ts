import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { routeTemplate } from "../../src/github/observe-requests.js";

const rest = new ProbotOctokit({ throttle: { enabled: false } } as never).rest as never;

describe("routeTemplate", () => {
  it("keeps an endpoint method's template and drops the query", () => {
    expect(routeTemplate("GET", "/repos/{owner}/{repo}/pulls/{pull_number}?x=1", rest)).toBe("/repos/{owner}/{repo}/pulls/{pull_number}");
  });

  it("names a concrete page URL by the REST route it matches, on github.com and on a GitHub Enterprise Server", () => {
    expect(routeTemplate("GET", "https://api.github.com/repos/acme/api/pulls/7/files?per_page=100&page=3", rest)).toBe("/repos/{owner}/{repo}/pulls/{pull_number}/files");
    expect(routeTemplate("GET", "https://api.github.com/repositories/1296269/pulls/7/commits?page=2", rest)).toBe("/repos/{owner}/{repo}/pulls/{pull_number}/commits");
    expect(routeTemplate("GET", "https://ghe.acme.example/api/v3/repos/acme/api/pulls/7/reviews", rest)).toBe("/repos/{owner}/{repo}/pulls/{pull_number}/reviews");
    expect(routeTemplate("GET", "https://api.github.com/repos/acme/api/commits/0123456789abcdef0123456789abcdef01234567/check-runs", rest)).toBe("/repos/{owner}/{repo}/commits/{ref}/check-runs");
  });

  it("never turns an unknown path into a label of its own", () => {
    expect(routeTemplate("GET", "https://api.github.com/no/such/route/12345", rest)).toBe("other");
  });
});
