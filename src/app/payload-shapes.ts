import { z } from "zod";

/**
 * What each handler reads from its event's payload, and of which type. GitHub
 * signs what it sends, so a payload that lacks these is not an assistant's
 * doing but a change in GitHub's format, a proxy's damage, or a test. Such a
 * payload never reaches the handler (it would crash, or judge on missing
 * facts): what GitHub's API can say again is read from it instead (see
 * payload-recovery.ts), and otherwise the event is not judged, failing
 * closed (see with-payload-shape.ts). Only fields a handler reads
 * are listed; anything else may be missing or of any type. Add a field here
 * when a handler starts reading it.
 */
const sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "a commit SHA");
const number = z.number().int().positive();
const account = z.looseObject({ login: z.string(), id: z.number() });
const gitPerson = z.looseObject({ name: z.string().nullish(), email: z.string().nullish(), username: z.string().optional() });

/**
 * A name that goes into an API path. GitHub's own limits are lower (100
 * characters for a repository, 255 bytes for a ref); the bound only keeps a
 * damaged payload from making the app send megabyte URLs.
 */
const pathName = z.string().min(1).max(255);

/** Where a repository is: enough to ask GitHub for the rest of it. */
export const REPOSITORY_ADDRESS = z.looseObject({ name: pathName, owner: z.looseObject({ login: pathName }) });
export const REPOSITORY = REPOSITORY_ADDRESS.extend({ full_name: z.string().min(1).max(511), default_branch: pathName });

/** Which workflow run, in which repository: enough to read it again, or to cancel it. */
export const RUN_ADDRESS = z.looseObject({ repository: REPOSITORY_ADDRESS, workflow_run: z.looseObject({ id: number }) });

export const WORKFLOW_RUN = z.looseObject({
  id: number,
  path: z.string(),
  html_url: z.string(),
  head_sha: sha,
  head_branch: z.string().nullable(),
  // Who started the run decides whether it is cancelled: GitHub always names them (`triggering_actor` only since 2022).
  actor: account,
  triggering_actor: account.nullish(),
  head_commit: z.looseObject({ author: gitPerson.nullish() }).nullish(),
});

const common = {
  repository: REPOSITORY,
  installation: z.looseObject({ id: z.number() }).optional(),
  sender: account.nullish(),
};

const pullRequest = z.looseObject({
  number,
  html_url: z.string(),
  head: z.looseObject({ sha, ref: z.string() }),
  base: z.looseObject({ ref: z.string() }),
  merged: z.boolean().nullish(),
  merged_by: account.nullish(),
  merge_commit_sha: z.string().nullish(),
  auto_merge: z.looseObject({ enabled_by: account.nullish() }).nullish(),
});

const pullRequestsOfCommit = z.array(z.looseObject({ number }));

/** Where the sender is not evidence, only named in the audit record, a damaged one does not stop the event from being judged. */
const namedSender = { sender: z.unknown() };

export const PAYLOAD_SHAPES = {
  // The sender of a pull request event or a push acted on the change: it is evidence, so it must be there.
  pull_request: z.looseObject({ ...common, sender: account, action: z.string(), number, pull_request: pullRequest }),
  pull_request_review: z.looseObject({ ...common, ...namedSender, pull_request: pullRequest }),
  check_run: z.looseObject({
    ...common,
    ...namedSender,
    check_run: z.looseObject({ head_sha: sha, app: z.looseObject({ id: z.number() }).nullish(), pull_requests: pullRequestsOfCommit }),
    requested_action: z.looseObject({ identifier: z.string() }).nullish(),
  }),
  check_suite: z.looseObject({ ...common, ...namedSender, check_suite: z.looseObject({ head_sha: sha, pull_requests: pullRequestsOfCommit }) }),
  push: z.looseObject({
    ...common,
    sender: account,
    ref: z.string().max(1_024),
    before: sha,
    after: sha,
    created: z.boolean(),
    deleted: z.boolean(),
    forced: z.boolean(),
    compare: z.string(),
    pusher: gitPerson,
    commits: z.array(z.looseObject({ id: sha, message: z.string(), distinct: z.boolean(), author: gitPerson, committer: gitPerson })),
  }),
  workflow_run: z.looseObject({ ...common, ...namedSender, workflow_run: WORKFLOW_RUN }),
  // Who asked for the checks is not an actor of the group's change: named only.
  merge_group: z.looseObject({
    ...common,
    ...namedSender,
    merge_group: z.looseObject({ head_sha: sha, base_sha: sha, head_ref: z.string().max(1_024), base_ref: z.string().max(1_024) }),
  }),
  deployment_protection_rule: z.looseObject({
    ...common,
    environment: pathName.optional(),
    deployment_callback_url: z.string().optional(),
    deployment: z.looseObject({ id: z.number(), url: z.string(), ref: z.string(), creator: account.nullish() }).nullish(),
  }),
  issue_comment: z.looseObject({
    ...common,
    ...namedSender,
    action: z.string(),
    issue: z.looseObject({ number, state: z.string(), html_url: z.string(), pull_request: z.looseObject({}).nullish() }),
    comment: z.looseObject({
      id: number,
      body: z.string().max(262_144).nullish(),
      // GitHub shows a deleted account as null: such a comment is refused, never attributed.
      user: z.looseObject({ login: z.string(), id: z.number(), type: z.string().optional() }).nullable(),
      created_at: z.string(),
      updated_at: z.string(),
    }),
    changes: z.looseObject({ body: z.looseObject({ from: z.string().max(262_144) }).nullish() }).nullish(),
  }),
} as const;

export type ShapedEvent = keyof typeof PAYLOAD_SHAPES;
