import { createHash } from "node:crypto";
import type nock from "nock";

/** The git blob SHA of `text`, as GitHub computes it. */
export function blobSha(text: string | Buffer): string {
  const bytes = Buffer.from(text);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** A contents-API path segment as Octokit sends it (slashes encoded). */
function contentsPath(repoPath: string, path: string): string {
  return path === "" ? `${repoPath}/contents` : `${repoPath}/contents/${encodeURIComponent(path)}`;
}

/** One file read through the contents API at `ref`: its text, or a status for a failure. */
export function mockFile(scope: nock.Scope, repoPath: string, path: string, ref: string, reply: string | { status: number }) {
  const interceptor = scope.get(contentsPath(repoPath, path)).query({ ref });
  if (typeof reply !== "string") return interceptor.reply(reply.status, { message: reply.status === 404 ? "Not Found" : "Server Error" });
  return interceptor.reply(200, {
    type: "file",
    name: path.slice(path.lastIndexOf("/") + 1),
    path,
    sha: blobSha(reply),
    size: Buffer.byteLength(reply),
    encoding: "base64",
    content: Buffer.from(reply).toString("base64"),
  });
}

/** A directory listing at `ref`: name → file text (its blob SHA is listed) or `{ dir: treeSha }`; null answers 404. */
export function mockListing(scope: nock.Scope, repoPath: string, dir: string, ref: string, entries: Record<string, string | { dir: string }> | null) {
  const interceptor = scope.get(contentsPath(repoPath, dir)).query({ ref });
  if (entries === null) return interceptor.reply(404, { message: "Not Found" });
  return interceptor.reply(
    200,
    Object.entries(entries).map(([name, entry]) => ({
      type: typeof entry === "string" ? "file" : "dir",
      name,
      path: dir ? `${dir}/${name}` : name,
      sha: typeof entry === "string" ? blobSha(entry) : entry.dir,
      size: typeof entry === "string" ? Buffer.byteLength(entry) : 0,
    })),
  );
}

/** The open pull requests GitHub associates with a commit (`GET /commits/{sha}/pulls`). */
export function mockPullsOfCommit(scope: nock.Scope, repoPath: string, sha: string, pulls: { number: number; headSha: string; state?: string }[]) {
  const fullName = repoPath.replace(/^\/repos\//, "");
  return scope
    .get(`${repoPath}/commits/${sha}/pulls`)
    .query({ per_page: 100 })
    .reply(
      200,
      pulls.map((p) => ({ number: p.number, state: p.state ?? "open", head: { sha: p.headSha }, base: { repo: { full_name: fullName } } })),
    );
}
