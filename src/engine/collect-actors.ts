import { parseNameAndEmail } from "./identity.js";
import type { Actor, ChangeFacts, CommitFact } from "./types.js";

/**
 * Longest commit-message line considered, in characters. Trailers are short;
 * the bound keeps wildcard matching cheap on hostile messages (a longer line is
 * still matched on its first MAX_LINE characters).
 */
const MAX_LINE = 4096;

/** Git allows blanks between a trailer's key and its separator: `Co-authored-by : X <x@y>`. */
const CO_AUTHOR = /^co-authored-by[ \t]*:\s*(.*)$/i;

/**
 * Every actor of a change: the shell's actors (PR author, sender, pusher) plus,
 * per commit, its author, committer, each `Co-authored-by:` trailer (as an
 * identity, role `co_author`) and each other non-empty message line (role
 * `trailer`, matched against trailer patterns as a whole line).
 */
export function collectActors(facts: Pick<ChangeFacts, "actors" | "commits">): Actor[] {
  return [...facts.actors, ...facts.commits.flatMap(commitActors)];
}

function commitActors(commit: CommitFact): Actor[] {
  const actors: Actor[] = [
    { role: "commit_author", identity: commit.author, commit: commit.sha },
    { role: "committer", identity: commit.committer, commit: commit.sha },
  ];
  for (const rawLine of commit.message.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim().slice(0, MAX_LINE);
    if (!line) continue;
    const coAuthor = CO_AUTHOR.exec(line);
    if (coAuthor) {
      actors.push({ role: "co_author", identity: parseNameAndEmail(coAuthor[1] ?? ""), commit: commit.sha, trailer: line });
    } else {
      actors.push({ role: "trailer", identity: {}, commit: commit.sha, trailer: line });
    }
  }
  return actors;
}
