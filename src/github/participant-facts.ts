import type { ParticipantFacts } from "../engine/approval-types.js";
import type { Identity } from "../engine/types.js";
import type { UnlinkedParticipant } from "../engine/unlinked-participants.js";
import { GitHubFactsError, statusOf, step } from "./errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** The branch a pull request's commits were pushed to: in the head repository (a fork's, for a fork). */
export interface HeadBranch extends RepoRef {
  ref: string;
}

/** Pages of branch activity read, newest first (100 each): a branch with more pushes is not fully known. */
export const MAX_ACTIVITY_PAGES = 3;
/** Commits looked up in one GraphQL query. */
const COMMITS_PER_QUERY = 50;
/** Co-authors GitHub lists per commit in one query; identities beyond stay unresolved. */
const AUTHORS_PER_COMMIT = 100;

/**
 * Who took part in a pull request beyond the accounts its facts name: the
 * accounts that pushed to its head branch, and the accounts GitHub links to
 * the e-mails of `unlinked` (co-authors and unlinked authors or committers).
 * Bounded: at most `MAX_ACTIVITY_PAGES` activity pages and one GraphQL query
 * per 50 commits that carry such an e-mail. What cannot be resolved — a
 * branch whose activity the app may not read (403/404, e.g. another owner's
 * fork) or that has more pushes than it reads, an e-mail no account is linked
 * to, a deleted head repository — is returned as an `unresolved` line; any
 * other API failure is a `GitHubFactsError` (the caller fails closed).
 */
export async function gatherParticipants(
  octokit: Octokit,
  repo: RepoRef,
  input: { head: HeadBranch | undefined; unlinked: readonly UnlinkedParticipant[] },
): Promise<ParticipantFacts> {
  const pushers = input.head ? await pushersOf(octokit, input.head) : { accounts: [], unresolved: ["who pushed the head branch: its repository no longer exists"] };
  const linked = await accountsOf(octokit, repo, input.unlinked);
  return { accounts: [...pushers.accounts, ...linked.accounts], unresolved: [...pushers.unresolved, ...linked.unresolved] };
}

/**
 * Every account that pushed to, force-pushed to, created or merged into the
 * branch, newest first, back to the branch's creation (older activity
 * belongs to an earlier branch of the same name).
 */
async function pushersOf(octokit: Octokit, head: HeadBranch): Promise<ParticipantFacts> {
  const where = `${head.owner}/${head.repo}:${head.ref}`;
  const accounts: ParticipantFacts["accounts"] = [];
  let pages = 0;
  let reachedStart = false;
  let more = false;
  try {
    const params = { owner: head.owner, repo: head.repo, ref: `refs/heads/${head.ref}`, per_page: 100 };
    for await (const response of octokit.paginate.iterator(octokit.rest.repos.listActivities, params)) {
      pages += 1;
      for (const activity of response.data) {
        if (activity.activity_type === "branch_deletion") {
          reachedStart = true;
          break;
        }
        if (activity.actor) accounts.push({ role: "pusher", identity: accountOf(activity.actor) });
        if (activity.activity_type === "branch_creation") {
          reachedStart = true;
          break;
        }
      }
      more = /rel="next"/.test(response.headers.link ?? "");
      if (reachedStart || pages >= MAX_ACTIVITY_PAGES) break;
    }
  } catch (error) {
    const status = statusOf(error);
    if (status !== 403 && status !== 404) throw new GitHubFactsError(`list the pushes to ${where}`, { cause: error });
    const why = status === 404 ? "not found or not visible to the app" : "the app may not read it";
    return { accounts: [], unresolved: [`who pushed to ${where} (its activity is ${why}, HTTP ${status})`] };
  }
  const unresolved = !reachedStart && more ? [`who pushed to ${where} before its newest ${pages * 100} pushes`] : [];
  return { accounts, unresolved };
}

interface GitActor {
  email?: string | null;
  user?: { login: string; databaseId?: number | null } | null;
}
interface CommitAuthors {
  authors?: { nodes?: (GitActor | null)[] | null } | null;
  committer?: GitActor | null;
}

/** The accounts GitHub links to each e-mail, read from the commits they appear in (GitHub's own attribution). */
async function accountsOf(octokit: Octokit, repo: RepoRef, unlinked: readonly UnlinkedParticipant[]): Promise<ParticipantFacts> {
  const accounts: ParticipantFacts["accounts"] = [];
  const unresolved: string[] = [];
  const commits = [...new Set(unlinked.map((p) => p.commit))];
  for (let start = 0; start < commits.length; start += COMMITS_PER_QUERY) {
    const batch = commits.slice(start, start + COMMITS_PER_QUERY);
    const found = await commitAuthors(octokit, repo, batch);
    for (const participant of unlinked.filter((p) => batch.includes(p.commit))) {
      const result = found instanceof Error ? undefined : found.get(participant.commit);
      const user = result && [...(result.authors?.nodes ?? []), result.committer].find((a) => a?.email?.toLowerCase() === participant.email && a.user)?.user;
      if (user) {
        accounts.push({ role: participant.role, identity: { login: user.login, ...(typeof user.databaseId === "number" ? { id: user.databaseId } : {}) } });
      } else {
        const why = found instanceof Error ? `GitHub did not answer: ${found.message}` : "no GitHub account is linked to this e-mail";
        unresolved.push(`${participant.label} (${why})`);
      }
    }
  }
  return { accounts, unresolved };
}

/** commit SHA → its authors and committer, or the error that kept GitHub from saying (a permission, a missing commit). */
async function commitAuthors(octokit: Octokit, repo: RepoRef, shas: readonly string[]): Promise<Map<string, CommitAuthors> | Error> {
  const fields = `authors(first: ${AUTHORS_PER_COMMIT}) { nodes { email user { login databaseId } } } committer { email user { login databaseId } }`;
  const query =
    `query($owner: String!, $name: String!, ${shas.map((_, i) => `$c${i}: GitObjectID!`).join(", ")}) {\n` +
    `  repository(owner: $owner, name: $name) {\n` +
    shas.map((_, i) => `    c${i}: object(oid: $c${i}) { ... on Commit { ${fields} } }\n`).join("") +
    `  }\n}`;
  const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
  shas.forEach((sha, i) => (variables[`c${i}`] = sha));
  let data: { repository?: Record<string, CommitAuthors | null> | null };
  try {
    data = await octokit.graphql(query, variables);
  } catch (error) {
    const status = statusOf(error);
    const answered = Array.isArray((error as { errors?: unknown }).errors);
    if (!answered && status !== 403 && status !== 404) {
      return step(`read the authors of ${shas.length} commit(s)`, () => Promise.reject(error));
    }
    return error instanceof Error ? error : new Error(String(error));
  }
  const found = new Map<string, CommitAuthors>();
  shas.forEach((sha, i) => {
    const commit = data.repository?.[`c${i}`];
    if (commit) found.set(sha, commit);
  });
  return found;
}

function accountOf(actor: { login: string; id: number; type?: string }): Identity {
  return actor.type ? { login: actor.login, id: actor.id, type: actor.type } : { login: actor.login, id: actor.id };
}
