import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Actor, ActorRole, Identity } from "../engine/types.js";
import type { Conclusion } from "./check-run-output.js";

/**
 * What the app keeps about one commit, carried in its own "Agent Policy"
 * check run on that commit (only the app can write that run, and the record
 * is sealed with a key only the app and GitHub know): who acted on the commit
 * in earlier events, and the verdict of every subject whose head it is. Each
 * evaluation of the commit reads the newest record and posts the next one, so
 * the record outlives the event and the process.
 */
export interface CommitRecord {
  /** Event actors (senders of pushes and edits, pushers) seen on this commit; never forgotten. */
  actors: RecordedActor[];
  /** The latest verdict of each subject judged at this commit. */
  subjects: SubjectVerdict[];
  /** Set once the record could not hold everything: every later evaluation of the commit fails closed. */
  overflow?: boolean;
}

export interface RecordedActor {
  role: ActorRole;
  identity: Identity;
}

/** A pull request (`pr:<number>`) or a push of a branch (`push:<ref>`) whose head is the commit, and how it was judged. */
export interface SubjectVerdict {
  key: string;
  conclusion: Conclusion;
  /** The decision's verdict, or `error` when the subject could not be judged (fail closed). */
  verdict: "allow" | "step_up" | "deny" | "error";
  title: string;
  /**
   * Who could change this verdict by reviewing: the users and teams (`org/slug`,
   * lower case) named by the step-ups that approvals decide. Empty lists: no
   * review can change it (nothing waits on approvals, or a deny). Absent: not
   * known (an error, an older record, too many to keep), so every review that
   * could count is evaluated.
   */
  approvers?: ReviewApprovers;
}

export interface ReviewApprovers {
  users: string[];
  teams: string[];
}

/** What a record may hold; beyond it the record overflows (fail closed). */
export const RECORD_LIMITS = { actors: 100, subjects: 100, field: 256, title: 160, approverUsers: 50, approverTeams: 20 } as const;

const MARKER = "agent-policy record v1";
const SEALED = /<!-- agent-policy record v1 ([A-Za-z0-9_-]+) ([0-9a-f]{64}) -->/;
const CONCLUSIONS = ["success", "neutral", "action_required", "failure"] as const;

const identitySchema = z
  .object({
    login: z.string().max(RECORD_LIMITS.field).optional(),
    id: z.number().int().nonnegative().optional(),
    type: z.string().max(RECORD_LIMITS.field).optional(),
    name: z.string().max(RECORD_LIMITS.field).optional(),
    email: z.string().max(RECORD_LIMITS.field).optional(),
  })
  .strict();

const payloadSchema = z
  .object({
    repo: z.string(),
    sha: z.string(),
    actors: z.array(z.object({ role: z.string(), identity: identitySchema }).strict()).max(RECORD_LIMITS.actors),
    subjects: z
      .array(
        z
          .object({
            key: z.string().max(RECORD_LIMITS.field),
            conclusion: z.enum(CONCLUSIONS),
            verdict: z.enum(["allow", "step_up", "deny", "error"]),
            title: z.string().max(RECORD_LIMITS.title),
            approvers: z
              .object({
                users: z.array(z.string().max(RECORD_LIMITS.field)).max(RECORD_LIMITS.approverUsers),
                teams: z.array(z.string().max(RECORD_LIMITS.field)).max(RECORD_LIMITS.approverTeams),
              })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .max(RECORD_LIMITS.subjects),
    overflow: z.literal(true).optional(),
  })
  .strict();

/** Which commit a record belongs to: a record is only ever read back for the same repository and commit. */
export interface RecordScope {
  repo: string;
  sha: string;
  /** The sealing key: the webhook secret. */
  key: string;
}

export type OpenedRecord = { status: "ok"; record: CommitRecord } | { status: "absent" } | { status: "invalid"; reason: string };

export function emptyRecord(): CommitRecord {
  return { actors: [], subjects: [] };
}

/**
 * The record as one HTML comment (invisible in the rendered check), made of
 * the canonical JSON and its HMAC-SHA256 under the scope's key. The same
 * record always seals to the same text, so a redelivered event is still
 * recognised as already reported.
 */
export function sealRecord(record: CommitRecord, scope: RecordScope): string {
  const json = JSON.stringify({
    repo: scope.repo,
    sha: scope.sha.toLowerCase(),
    actors: record.actors.map((a) => ({ role: a.role, identity: canonicalIdentity(a.identity) })),
    subjects: [...record.subjects].sort((a, b) => compareKeys(a.key, b.key)).map((s) => ({ key: s.key, conclusion: s.conclusion, verdict: s.verdict, title: s.title, ...(s.approvers ? { approvers: s.approvers } : {}) })),
    ...(record.overflow ? { overflow: true } : {}),
  });
  const body = Buffer.from(json, "utf8").toString("base64url");
  return `<!-- ${MARKER} ${body} ${mac(scope.key, json)} -->`;
}

/**
 * Reads the record out of a check run's text. `absent` when the run carries
 * none (a run posted while the record could not be read, or by an older
 * version of the app); `invalid` when it carries one that does not verify,
 * does not parse, or belongs to another repository or commit.
 */
export function openRecord(text: string | null | undefined, scope: RecordScope): OpenedRecord {
  if (!text || !text.includes(`<!-- ${MARKER}`)) return { status: "absent" };
  const match = SEALED.exec(text);
  if (!match) return { status: "invalid", reason: "the record is malformed" };
  const json = Buffer.from(match[1]!, "base64url").toString("utf8");
  const expected = Buffer.from(mac(scope.key, json), "hex");
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, "hex"))) return { status: "invalid", reason: "the record's seal does not verify" };
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(json));
  } catch {
    return { status: "invalid", reason: "the record does not parse" };
  }
  if (parsed.repo !== scope.repo || parsed.sha !== scope.sha.toLowerCase()) return { status: "invalid", reason: "the record belongs to another commit" };
  return {
    status: "ok",
    record: {
      actors: parsed.actors.map((a) => ({ role: a.role as ActorRole, identity: canonicalIdentity(a.identity) })),
      subjects: parsed.subjects.map(({ approvers, ...s }) => (approvers ? { ...s, approvers } : s)),
      ...(parsed.overflow ? { overflow: true } : {}),
    },
  };
}

/**
 * The actors to keep for a commit: `earlier` plus the event actors of `seen`
 * (senders and pushers; commit-derived actors are read again from the commits
 * themselves, recorded actors are already in `earlier`), one entry per
 * account or git identity.
 */
export function recordActors(earlier: readonly RecordedActor[], seen: readonly Actor[]): RecordedActor[] {
  const kept = new Map<string, RecordedActor>();
  const add = (role: ActorRole, identity: Identity) => {
    const canonical = canonicalIdentity(identity);
    const key = identityKey(canonical);
    if (key && !kept.has(`${role}\u0000${key}`)) kept.set(`${role}\u0000${key}`, { role, identity: canonical });
  };
  for (const a of earlier) add(a.role, a.identity);
  for (const a of seen) if (a.role === "sender" || a.role === "pusher") add(a.role, a.identity);
  return [...kept.values()];
}

/**
 * Recorded actors as the engine takes them: role `recorded`, with the role
 * they had. One that this event sees again in the same role (`current`) is
 * left to the event's own actor, so a redelivered event judges, and reports,
 * exactly as the first delivery did.
 */
export function recordedActors(recorded: readonly RecordedActor[], current: readonly Actor[] = []): Actor[] {
  const seen = new Set(current.map((a) => `${a.role}\u0000${identityKey(canonicalIdentity(a.identity)) ?? ""}`));
  return recorded
    .filter((a) => !seen.has(`${a.role}\u0000${identityKey(a.identity) ?? ""}`))
    .map((a) => ({ role: "recorded", identity: a.identity, recordedRole: a.role }));
}

/** The record, or the same record marked as overflowing when it holds more than `RECORD_LIMITS` allows. */
export function boundedRecord(record: CommitRecord): CommitRecord {
  if (record.actors.length <= RECORD_LIMITS.actors && record.subjects.length <= RECORD_LIMITS.subjects) return record;
  return { actors: record.actors.slice(0, RECORD_LIMITS.actors), subjects: record.subjects.slice(0, RECORD_LIMITS.subjects), overflow: true };
}

/**
 * The approvers of a subject as a record keeps them: lower case, each once,
 * sorted (so a record seals alike however it was built); undefined when
 * there are more than a record holds (then every review that could count is
 * evaluated).
 */
export function reviewApprovers(users: readonly string[], teams: readonly string[]): ReviewApprovers | undefined {
  const canonical = (list: readonly string[]) => [...new Set(list.map((x) => x.replace(/^@/, "").toLowerCase()))].sort(compareKeys);
  const out = { users: canonical(users), teams: canonical(teams) };
  const fits = (list: string[], max: number) => list.length <= max && list.every((x) => x.length <= RECORD_LIMITS.field);
  return fits(out.users, RECORD_LIMITS.approverUsers) && fits(out.teams, RECORD_LIMITS.approverTeams) ? out : undefined;
}

function canonicalIdentity(identity: Identity): Identity {
  const out: Identity = {};
  const text = (value: unknown) => (typeof value === "string" ? value.slice(0, RECORD_LIMITS.field) : undefined);
  const login = text(identity.login);
  if (login !== undefined) out.login = login;
  if (typeof identity.id === "number") out.id = identity.id;
  const type = text(identity.type);
  if (type !== undefined) out.type = type;
  const name = text(identity.name);
  if (name !== undefined) out.name = name;
  const email = text(identity.email);
  if (email !== undefined) out.email = email;
  return out;
}

function identityKey(identity: Identity): string | undefined {
  if (identity.id !== undefined) return `id:${identity.id}`;
  if (identity.login) return `login:${identity.login.toLowerCase()}`;
  if (identity.email) return `email:${identity.email.toLowerCase()}|${identity.name ?? ""}`;
  return identity.name ? `name:${identity.name}` : undefined;
}

function mac(key: string, json: string): string {
  return createHmac("sha256", key).update(`${MARKER}\n${json}`).digest("hex");
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
