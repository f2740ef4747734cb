import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, summarizeError } from "../../src/server/logger.js";
import { GitHubFactsError } from "../../src/github/errors.js";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger("info", sink as never) };
}

/** An error as Octokit throws it: status, and the request with its URL and headers. */
function requestError(status: number): Error {
  return Object.assign(new Error(`Not Found - https://docs.github.com/rest`), {
    name: "HttpError",
    status,
    request: { method: "GET", url: "https://api.github.com/repos/acme/api/pulls/7/files?per_page=100&page=2", headers: { authorization: "token ghs_secret" } },
    response: { status, headers: {}, data: { message: "Not Found", huge: "x".repeat(100_000) } },
  });
}

describe("log lines", () => {
  it("reduce a failed delivery to messages, statuses and routes: no payload, no token, no response body", () => {
    const { lines, log } = capture();
    const handlerError = new GitHubFactsError("list the files of pull request #7", { cause: requestError(404) });
    const delivery = Object.assign(new AggregateError([Object.assign(handlerError, { event: { payload: { secret: "PAYLOAD-MARKER" } } })], handlerError.message), {
      event: { id: "d-1", name: "pull_request", payload: { pull_request: { body: "PAYLOAD-MARKER".repeat(10_000) } } },
    });
    log.error(delivery, "webhook handler failed");
    log.error({ err: delivery }, "again, as a field");
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain("PAYLOAD-MARKER");
      expect(line).not.toContain("ghs_secret");
      expect(line.length).toBeLessThan(4096);
      const parsed = JSON.parse(line);
      expect(parsed.err.errors[0]).toMatchObject({ type: "GitHubFactsError", status: 404, cause: { status: 404, route: "GET /repos/acme/api/pulls/7/files" } });
    }
  });

  it("cut long messages", () => {
    const { lines, log } = capture();
    log.warn(`start ${"y".repeat(50_000)}`);
    log.info({ err: new Error("z".repeat(50_000)) }, "with an error");
    for (const line of lines) expect(line.length).toBeLessThan(4096);
    expect(summarizeError(new Error("z".repeat(5000))).message).toMatch(/… \(4000 more characters\)$/);
  });
});
