import type { Actor, ChangedFile, CommitFact, Identity, PushFacts } from "../engine/types.js";
import { identityOf } from "./pull-request-facts.js";

/** A push payload lists at most this many commits; at this many, it may have left some out. */
export const PUSH_PAYLOAD_MAX_COMMITS = 2048;

/** The SHA GitHub puts in `before` of a created ref and in `after` of a deleted one. */
export const ZERO_SHA = "0000000000000000000000000000000000000000";

interface GitPerson {
  name?: string | null;
  email?: string | null;
  username?: string;
}

interface Account {
  login: string;
  id: number;
  type?: string;
}

/** The parts of a `push` payload the app reads (Probot's payload type is assignable to it). */
export interface PushPayload {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  compare: string;
  pusher: GitPerson;
  sender?: Account;
  commits: { id: string; message: string; distinct: boolean; author: GitPerson; committer: GitPerson }[];
}

export interface PushCommit extends CommitFact {
  /** False when the commit was already in the repository (e.g. a branch's commits arriving on another branch by a merge). */
  distinct: boolean;
}

/** One push, decoded: which ref, which kind of update, who pushed, and the commits the payload lists (at most 2048). */
export interface PushEvent {
  ref: string;
  refType: "branch" | "tag" | "other";
  /** The branch or tag name. */
  name: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  compareUrl: string;
  /** The pusher and the sender. */
  actors: Actor[];
  /** The sender's account id: who pushed, as GitHub authenticated them. */
  senderId?: number;
  commits: PushCommit[];
}

export function decodePush(payload: PushPayload): PushEvent {
  const [refType, name] = refName(payload.ref);
  const actors: Actor[] = [{ role: "pusher", identity: pusherIdentity(payload.pusher, payload.sender) }];
  if (payload.sender) actors.push({ role: "sender", identity: identityOf(payload.sender) });
  return {
    ref: payload.ref,
    refType,
    name,
    before: payload.before,
    after: payload.after,
    created: payload.created || payload.before === ZERO_SHA,
    deleted: payload.deleted || payload.after === ZERO_SHA,
    forced: payload.forced,
    compareUrl: payload.compare,
    actors,
    ...(typeof payload.sender?.id === "number" ? { senderId: payload.sender.id } : {}),
    commits: payload.commits.map((c) => ({
      sha: c.id,
      message: c.message,
      author: gitIdentity(c.author),
      committer: gitIdentity(c.committer),
      distinct: c.distinct,
    })),
  };
}

/** Facts of a push; without `files`, the push is judged on who took part in it only. */
export function pushFacts(
  event: PushEvent & { refType: "branch" | "tag" },
  input: {
    repository: PushFacts["repository"];
    policyPaths: string[];
    commits: CommitFact[];
    commitsComplete?: boolean;
    files?: ChangedFile[];
    filesComplete?: boolean;
    compareBase?: string;
    mergedPullRequest?: number;
    mergeGroup?: boolean;
  },
): PushFacts {
  const files = input.files ?? [];
  return {
    kind: "push",
    repository: input.repository,
    ref: event.ref,
    refType: event.refType,
    headRef: event.name,
    headSha: event.after,
    before: event.before,
    created: event.created,
    deleted: event.deleted,
    forced: event.forced,
    ...(input.compareBase ? { compareBase: input.compareBase } : {}),
    ...(input.mergedPullRequest !== undefined ? { mergedPullRequest: input.mergedPullRequest } : {}),
    ...(input.mergeGroup ? { mergeGroup: true } : {}),
    actors: event.actors,
    commits: input.commits,
    commitsComplete: input.commitsComplete ?? true,
    files,
    changedFiles: files.length,
    filesComplete: input.filesComplete ?? true,
    policyPaths: input.policyPaths,
  };
}

/**
 * The push's commits that count as its own: the payload's commits new to the
 * repository, plus `listed` (the compare API's, which carry account ids and
 * win over the payload's copy) except those the payload marks as pushed
 * before. A commit pushed before, e.g. the default branch's arriving on a
 * feature branch by a merge, was judged where it was first pushed; an
 * assistant that authored it does not make this push an assistant's. Not for
 * protected branches, where every commit new on the branch counts (see
 * `branchCommits`).
 */
export function ownCommits(event: PushEvent, listed: readonly CommitFact[] = []): CommitFact[] {
  const pushedBefore = new Set(event.commits.filter((c) => !c.distinct).map((c) => c.sha));
  return branchCommits(event, listed).filter((c) => !pushedBefore.has(c.sha));
}

/**
 * Every commit the push brings onto its ref, whether or not it was in the
 * repository before: `listed` (the compare API's, which win over the
 * payload's copy) and all of the payload's commits.
 */
export function branchCommits(event: PushEvent, listed: readonly CommitFact[] = []): CommitFact[] {
  const commits = new Map<string, CommitFact>();
  for (const { sha, message, author, committer } of [...listed, ...event.commits]) {
    if (!commits.has(sha)) commits.set(sha, { sha, message, author, committer });
  }
  return [...commits.values()];
}

function refName(ref: string): [PushEvent["refType"], string] {
  if (ref.startsWith("refs/heads/")) return ["branch", ref.slice("refs/heads/".length)];
  if (ref.startsWith("refs/tags/")) return ["tag", ref.slice("refs/tags/".length)];
  return ["other", ref];
}

/**
 * The pusher has a name (its login, for a push over git) and an e-mail but no
 * account id. When the name is the sender's login, it is that account, id
 * included; otherwise it is kept as a git identity, never as a bare login
 * (a login without an id is ambiguous, see agent-matcher.ts).
 */
function pusherIdentity(pusher: GitPerson, sender: Account | undefined): Identity {
  const identity = gitIdentity({ name: pusher.name, email: pusher.email });
  if (sender && pusher.name && pusher.name.toLowerCase() === sender.login.toLowerCase()) return { ...identityOf(sender), ...identity };
  return identity;
}

/** A payload commit's author or committer: `username` is the GitHub login GitHub matched to the e-mail. */
function gitIdentity(person: GitPerson): Identity {
  return identityOf(person.username ? { login: person.username } : null, person);
}
