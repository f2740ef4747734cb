import { mkdtempSync, rmSync } from "node:fs";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/index.js";
import { AuditSpool } from "../../src/audit/audit-spool.js";
import { AuditTrail } from "../../src/audit/audit-trail.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { GitHubFactsError, statusOf } from "../../src/github/errors.js";
import { appKeyPair } from "../fixtures/github.js";
import { NOW } from "../app/harness.js";
import { installWorld, type InjectedFailure, type Outcome } from "./github-world.js";
import { describeMutations, mutablePaths, mutate, mutationsOf, type Mutation } from "./mutations.js";
import { scenarioPayload, subscribedEvents } from "./scenarios.js";

/**
 * Every event the app subscribes to, with its payload mutated (fields
 * removed, nulls, wrong types, huge and hostile strings, unknown actions) and
 * sometimes one GitHub call failing, against the real handlers through
 * `probot.receive`, with GitHub answered by one catch-all responder (see
 * github-world.ts) and the network disabled. Fixed seed and bounded runs:
 * the same cases on every machine, in a few seconds.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
const RUNS_PER_EVENT = Number(process.env.FUZZ_RUNS ?? 30);

interface Run {
  outcome: Outcome;
  /** Errors the delivery was rejected with. */
  errors: unknown[];
  /** Programming errors the handlers caught and logged. */
  caught: string[];
}

const { privateKey } = appKeyPair();
const auditDir = mkdtempSync(join(tmpdir(), "agent-policy-fuzz-"));
const silent = pino({ level: "silent" });
/** One audit trail for every run: each run's app writes its records to the same store, as one server would. */
const trail = new AuditTrail(new FileAuditStore(join(auditDir, "audit.jsonl")), new AuditSpool(join(auditDir, "audit.jsonl.spool")), { log: silent });

/** Programming errors a handler caught and logged (it then fails closed): a crash all the same. */
const BUG = /^(TypeError|RangeError|ReferenceError|SyntaxError)$/;

/** A fresh app per run, so no cache carries one run's answers into the next; `caught` collects the bugs it logs. */
async function freshApp(caught: string[]): Promise<Probot> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as { err?: { type?: string; stack?: string } };
        if (entry.err?.type && BUG.test(entry.err.type)) caught.push(entry.err.stack ?? entry.err.type);
      }
      done();
    },
  });
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: "fuzz-webhook-secret",
    log: pino({ level: "error" }, sink),
    Octokit: ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, retry: { enabled: false }, throttle: { ...options.throttle, enabled: false } })),
  });
  await probot.load(createApp({ appId: 123, clock: () => NOW, incidentKey: "fuzz-incident-key", audit: trail }));
  return probot;
}

async function deliver(name: string, payload: object, failure?: InjectedFailure): Promise<Run> {
  nock.cleanAll();
  const outcome = installWorld(failure);
  const caught: string[] = [];
  const probot = await freshApp(caught);
  try {
    await probot.receive({ id: "fuzz-delivery", name, payload } as unknown as Parameters<Probot["receive"]>[0]);
    return { outcome, errors: [], caught };
  } catch (error) {
    return { outcome, errors: error instanceof AggregateError ? error.errors : [error], caught };
  } finally {
    nock.cleanAll();
  }
}

/**
 * A delivery may fail only because GitHub did (it is then redelivered), or
 * because Probot refused to authenticate an installation id that is not one
 * (before any handler ran); anything else is a crash of the app.
 */
function crashes(errors: readonly unknown[]): string[] {
  const expected = (e: unknown) =>
    e instanceof GitHubFactsError || statusOf(e) !== undefined || (e instanceof Error && e.message.startsWith("[@octokit/auth-app] installationId option is required"));
  return errors.filter((e) => !expected(e)).map((e) => String((e as Error)?.stack ?? e));
}

/**
 * Does the mutated payload still name the same workflow run, in the same
 * repository and installation, under the same action? Only then can the app
 * address the run to cancel it.
 */
function namesSameRun(base: Record<string, any>, mutated: Record<string, any>): boolean {
  const same = (read: (p: Record<string, any>) => unknown) => read(mutated) !== undefined && read(mutated) === read(base);
  return (
    same((p) => p.action) &&
    same((p) => p.installation?.id) &&
    same((p) => p.workflow_run?.id) &&
    same((p) => p.repository?.owner?.login) &&
    same((p) => p.repository?.name)
  );
}

const events = await subscribedEvents(trail);

describe("fuzzing every subscribed event against the real handlers", () => {
  const baselines = new Map<string, Run>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    nock.disableNetConnect();
    await trail.start();
    process.on("unhandledRejection", onUnhandled);
    for (const event of events) {
      const { name, payload } = scenarioPayload(event);
      baselines.set(event, await deliver(name, payload));
    }
  });

  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    nock.cleanAll();
    await trail.close();
    rmSync(auditDir, { recursive: true, force: true });
  });

  it("subscribes to the events the README lists", () => {
    expect(events).toEqual(
      expect.arrayContaining([
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.closed",
        "pull_request.auto_merge_enabled",
        "pull_request_review.submitted",
        "check_run.rerequested",
        "check_suite.rerequested",
        "push",
        "workflow_run.requested",
        "deployment_protection_rule.requested",
        "issue_comment.created",
        "issue_comment.edited",
        "issue_comment.deleted",
      ]),
    );
  });

  it("blocks something in each unmutated scenario, so the fuzz has a verdict to overturn", () => {
    for (const event of events) {
      const { outcome, errors, caught } = baselines.get(event)!;
      expect(errors, event).toEqual([]);
      expect(caught, event).toEqual([]);
      const blocked =
        outcome.conclusions.some((c) => c === "failure" || c === "action_required") ||
        outcome.deploymentStates.includes("rejected") ||
        outcome.cancelled.length > 0 ||
        outcome.calls.some((c) => /^POST \/repos\/[^/]+\/[^/]+\/issues$/.test(c)) ||
        // A refused grant: the app answers the assistant's command.
        outcome.calls.some((c) => /^POST \/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/comments$/.test(c));
      expect(blocked, `${event}: ${JSON.stringify(outcome)}`).toBe(true);
    }
  });

  it.each(events)("%s: no crash, no unhandled rejection, no pass the unmutated payload would not give", async (event) => {
    const { name, payload } = scenarioPayload(event);
    const baseline = baselines.get(event)!.outcome;
    // No 404: for a file it is an answer (the policy is not there: audit mode), not a failure.
    const failure = fc.option(fc.record({ at: fc.nat({ max: 12 }), status: fc.constantFrom(403, 422, 500, 502) }), { freq: 3, nil: undefined });
    const property = fc.asyncProperty(mutationsOf(mutablePaths(payload)), failure, async (mutations: Mutation[], injected) => {
      const mutated = mutate(payload, mutations);
      const run = await deliver(name, mutated, injected);
      const label = `${event} with ${describeMutations(mutations)}${injected ? `, call ${injected.at} failing with ${injected.status}` : ""}`;
      expect(crashes(run.errors), label).toEqual([]);
      expect(run.caught, label).toEqual([]);
      expect(unhandled, label).toEqual([]);
      if (!baseline.conclusions.includes("success")) expect(run.outcome.conclusions, label).not.toContain("success");
      if (!baseline.deploymentStates.includes("approved")) expect(run.outcome.deploymentStates, label).not.toContain("approved");
      if (baseline.cancelled.length > 0 && namesSameRun(payload, mutated)) expect(run.outcome.cancelled.length, label).toBeGreaterThan(0);
    });
    await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_EVENT });
  }, Math.max(20_000, RUNS_PER_EVENT * 1_000));
});
