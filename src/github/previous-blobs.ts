import { whyUnscannable } from "../engine/rules/unscannable-change.js";
import type { ChangedFile } from "../engine/types.js";
import { step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { RepositoryTree, shortRef } from "./repository-tree.js";

/** Directories listed per change at most to find earlier blobs; files in further directories stay unproven. */
export const MAX_PREVIOUS_BLOB_DIRECTORIES = 20;

/**
 * A file GitHub lists without a diff and without line counts that had an
 * earlier version — a rename, a copy, a mode change, a binary edit — whose
 * earlier blob would tell whether its content changed.
 */
function needsPreviousBlob(file: ChangedFile): boolean {
  return file.status !== "added" && file.sha !== undefined && file.previousSha === undefined && whyUnscannable(file)?.kind === "opaque";
}

const dirOf = (path: string): string => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

/**
 * The files with `previousSha` set where the earlier blob could be read at
 * `base` (the commit the diff was taken from): the blob of the old path of a
 * rename or copy, or of the same path. Found through directory listings, so
 * no content is downloaded; at most `MAX_PREVIOUS_BLOB_DIRECTORIES`
 * directories, the first in path order. A blob not found (or in a directory
 * past the cap) stays unknown, and the engine holds the file as
 * unscannable; an API failure is a `GitHubFactsError`, and the caller fails
 * closed.
 */
export async function withPreviousBlobs(tree: RepositoryTree, files: ChangedFile[], base: string): Promise<ChangedFile[]> {
  const oldPath = (file: ChangedFile) => file.previousPath ?? file.path;
  const dirs = [...new Set(files.filter(needsPreviousBlob).map((f) => dirOf(oldPath(f))))].sort().slice(0, MAX_PREVIOUS_BLOB_DIRECTORIES);
  if (dirs.length === 0) return files;
  // Listed together (a listing is cached per event); a file in a directory past the cap stays unproven.
  await Promise.all(dirs.map((dir) => tree.listing(base, dir)));
  const listed = new Set(dirs);
  const proven: ChangedFile[] = [];
  for (const file of files) {
    const entry = needsPreviousBlob(file) && listed.has(dirOf(oldPath(file))) ? await tree.entry(base, oldPath(file)) : undefined;
    proven.push(typeof entry === "object" ? { ...file, previousSha: entry.sha } : file);
  }
  return proven;
}

/**
 * `withPreviousBlobs` for a pull request, whose diff GitHub takes from the
 * merge base of its base and head. Costs nothing when no listed file needs
 * it.
 */
export async function withPullRequestPreviousBlobs(
  octokit: Octokit,
  repo: RepoRef,
  input: { files: ChangedFile[]; baseSha: string; headSha: string },
): Promise<ChangedFile[]> {
  if (!input.files.some(needsPreviousBlob)) return input.files;
  const { data } = await step(`find the merge base of ${shortRef(input.baseSha)}...${shortRef(input.headSha)}`, () =>
    octokit.rest.repos.compareCommitsWithBasehead({ owner: repo.owner, repo: repo.repo, basehead: `${input.baseSha}...${input.headSha}`, per_page: 1 }),
  );
  return withPreviousBlobs(new RepositoryTree(octokit, repo), input.files, data.merge_base_commit.sha);
}
