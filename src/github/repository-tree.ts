import { step, statusOf } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** A directory entry as the contents API lists it: `sha` is the blob's, or the tree's for a directory. */
export interface TreeEntry {
  type: string;
  sha: string;
}

/** A directory's entries by name; `complete` is false when GitHub cut the listing short (it lists at most 1000). */
export interface Listing {
  entries: ReadonlyMap<string, TreeEntry>;
  complete: boolean;
}

/** A file that exists but cannot be used as asked: not a regular file, or too large. */
export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableFileError";
  }
}

const MAX_LISTED = 1000;

/**
 * Reads one repository at commits or branches through the contents API,
 * remembering every directory listing for the life of one event, so that
 * comparing several files of one directory costs one listing per ref.
 * Directory listings give blob and tree SHAs without content: that is how
 * two versions are compared without downloading either.
 */
export class RepositoryTree {
  private readonly listings = new Map<string, Promise<Listing | undefined>>();

  constructor(
    private readonly octokit: Octokit,
    private readonly repo: RepoRef,
  ) {}

  /** The entries of `dir` at `ref` (`""` is the root), or undefined when it does not exist there. */
  listing(ref: string, dir: string): Promise<Listing | undefined> {
    const key = `${ref}\u0000${dir}`;
    let listing = this.listings.get(key);
    if (!listing) {
      listing = this.readListing(ref, dir);
      this.listings.set(key, listing);
    }
    return listing;
  }

  /** The entry at `path` (a file or directory) at `ref`, or undefined when there is none; "unknown" when the listing was cut short. */
  async entry(ref: string, path: string): Promise<TreeEntry | undefined | "unknown"> {
    const slash = path.lastIndexOf("/");
    const listing = await this.listing(ref, slash < 0 ? "" : path.slice(0, slash));
    const found = listing?.entries.get(path.slice(slash + 1));
    if (found) return found;
    return listing && !listing.complete ? "unknown" : undefined;
  }

  /**
   * The text and blob SHA of the regular file at `path` at `ref`. A symbolic
   * link (the API answers with its target) and a file over `maxBytes` are an
   * `UnreadableFileError`; an API failure, a missing file included, is a
   * `GitHubFactsError`.
   */
  async file(ref: string, path: string, maxBytes: number): Promise<{ sha: string; text: string }> {
    const { data } = await step(`read ${path} at ${shortRef(ref)}`, () =>
      this.octokit.rest.repos.getContent({ owner: this.repo.owner, repo: this.repo.repo, path, ref }),
    );
    if (Array.isArray(data) || data.type !== "file" || data.path !== path) {
      throw new UnreadableFileError(`${path} at ${shortRef(ref)} is not a regular file`);
    }
    if (data.size > maxBytes) throw new UnreadableFileError(`${path} at ${shortRef(ref)} is ${data.size} bytes; the limit is ${maxBytes}`);
    const text = Buffer.from(data.content ?? "", (data.encoding as BufferEncoding | undefined) ?? "base64").toString("utf8");
    return { sha: data.sha, text };
  }

  private async readListing(ref: string, dir: string): Promise<Listing | undefined> {
    let data: unknown;
    try {
      ({ data } = await this.octokit.rest.repos.getContent({ owner: this.repo.owner, repo: this.repo.repo, path: dir, ref }));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      return step(`list ${dir || "the repository root"} at ${shortRef(ref)}`, () => Promise.reject(error));
    }
    // A path that names a file is not a directory: there is nothing under it.
    if (!Array.isArray(data)) return undefined;
    const entries = new Map<string, TreeEntry>();
    for (const item of data as { name: string; type: string; sha: string }[]) entries.set(item.name, { type: item.type, sha: item.sha });
    return { entries, complete: data.length < MAX_LISTED };
  }
}

/** A branch name as it is, a commit SHA shortened. */
export function shortRef(ref: string): string {
  return /^[0-9a-f]{40}$/i.test(ref) ? ref.slice(0, 7) : ref;
}
