import { basename } from "node:path";
import type { ChangeFacts } from "../engine/types.js";
import type { Git } from "./git.js";

/*
 * Where a local change is judged from, when the options do not say: the
 * GitHub Actions variables of a pull request run, then what the clone knows.
 */

type Env = NodeJS.ProcessEnv;

/** `--base`, else the pull request's base branch on `origin`, else `origin/HEAD`. */
export async function resolveBase(git: Git, explicit: string | undefined, env: Env): Promise<string | { error: string }> {
  if (explicit) return explicit;
  const prBase = env.GITHUB_BASE_REF;
  if (prBase) {
    for (const candidate of [`origin/${prBase}`, prBase]) if (await commitExists(git, candidate)) return candidate;
  }
  const originHead = await originDefault(git);
  if (originHead) return `origin/${originHead}`;
  return { error: "cannot tell the base of the change: pass --base REF (e.g. --base origin/main)" };
}

/** `--branch`, else the pull request's head branch, else the branch `head` names or HEAD is on. */
export async function resolveBranch(git: Git, explicit: string | undefined, head: string, env: Env): Promise<string | { error: string }> {
  if (explicit) return explicit;
  if (env.GITHUB_HEAD_REF) return env.GITHUB_HEAD_REF;
  if (head === "HEAD") {
    const current = (await git.probe(["symbolic-ref", "-q", "--short", "HEAD"]))?.trim();
    if (current) return current;
  } else if (await git.probe(["show-ref", "--verify", "-q", `refs/heads/${head}`]) !== undefined) {
    return head;
  } else {
    const remote = /^[^/]+\/(.+)$/.exec(head)?.[1];
    if (remote && (await git.probe(["show-ref", "--verify", "-q", `refs/remotes/${head}`])) !== undefined) return remote;
  }
  return { error: `cannot tell which branch ${head === "HEAD" ? "HEAD (detached)" : head} is: pass --branch NAME` };
}

/** `--repo`, else GITHUB_REPOSITORY, else `origin`'s URL, else the directory's name under the owner `local`. */
export async function resolveRepository(git: Git, explicit: string | undefined, env: Env, base: string): Promise<ChangeFacts["repository"] | { error: string }> {
  const named = explicit ?? env.GITHUB_REPOSITORY;
  const defaultBranch = await defaultBranchOf(git, base);
  if (named) {
    const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(named);
    if (!m) return { error: `--repo must be OWNER/NAME, not '${named}'` };
    return { owner: m[1]!, name: m[2]!, defaultBranch };
  }
  const url = (await git.probe(["remote", "get-url", "origin"]))?.trim();
  const fromUrl = url ? /[:/]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(url) : null;
  if (fromUrl) return { owner: fromUrl[1]!, name: fromUrl[2]!, defaultBranch };
  return { owner: "local", name: basename(git.root), defaultBranch };
}

/**
 * `origin`'s default branch; else the base when it names a branch; else a
 * local `main` or `master`. It decides what a `--push` to the default branch is.
 */
async function defaultBranchOf(git: Git, base: string): Promise<string> {
  const fromOrigin = await originDefault(git);
  if (fromOrigin) return fromOrigin;
  for (const [ref, name] of [[`refs/remotes/${base}`, base.replace(/^[^/]+\//, "")], [`refs/heads/${base}`, base], ["refs/heads/main", "main"], ["refs/heads/master", "master"]] as const) {
    if ((await git.probe(["show-ref", "--verify", "-q", ref])) !== undefined) return name;
  }
  return base;
}

async function originDefault(git: Git): Promise<string | undefined> {
  const ref = (await git.probe(["symbolic-ref", "-q", "refs/remotes/origin/HEAD"]))?.trim();
  return ref?.startsWith("refs/remotes/origin/") ? ref.slice("refs/remotes/origin/".length) : undefined;
}

async function commitExists(git: Git, revision: string): Promise<boolean> {
  return (await git.probe(["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`])) !== undefined;
}
