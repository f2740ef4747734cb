import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { commitEntry, COPILOT, COPILOT_COMMITTER, examplePayload, fileEntry } from "../fixtures/github.js";
import { createHarness, expectEveryMockUsed } from "./harness.js";
import { HEAD, mockCreate, mockListRuns, mockReads } from "./mocks.js";

function copilotPullRequest() {
  const payload = examplePayload("pull_request", "opened");
  payload.pull_request.user = { ...payload.pull_request.user, ...COPILOT };
  payload.sender = { ...payload.sender, ...COPILOT };
  return payload;
}

const reads = () => mockReads({ files: [fileEntry(".env", "added"), fileEntry("src/app.ts")], commits: [commitEntry(HEAD, "Change", { account: COPILOT, ...COPILOT_COMMITTER })] });

describe("audit records reach the audit store", () => {
  expectEveryMockUsed();

  it("stores exactly the record it logs, with the paths the change touched and the frameworks of its rules", async () => {
    const h = await createHarness();
    const scope = reads();
    mockListRuns(scope);
    mockCreate(scope);
    await h.receive("pull_request", copilotPullRequest(), "delivery-store");
    const stored = await h.stored();
    expect(stored).toEqual(h.audit());
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      seq: 1,
      deliveryId: "delivery-store",
      decision: "deny",
      assets: [".env", "src/app.ts"].map((p) => `path:${p}`),
      checkRunId: 77,
      responded: true,
      frameworks: { nhi: expect.arrayContaining(["NHI2"]), csf: expect.arrayContaining(["PR.AA-05"]) },
    });
    expect(await h.store.verify()).toMatchObject({ ok: true, records: 1 });
  });

  it("still posts the check run when the store fails, logs the failure as an error and spools the record until the store is back", async () => {
    const root = mkdtempSync(join(tmpdir(), "agent-policy-app-store-"));
    writeFileSync(join(root, "data"), "a file where the store's directory should be");
    const store = new FileAuditStore(join(root, "data", "audit.jsonl"));
    const h = await createHarness({ store, spoolPath: join(root, "spool.jsonl") });
    const scope = reads();
    mockListRuns(scope);
    const posted = mockCreate(scope);
    await h.receive("pull_request", copilotPullRequest(), "delivery-spooled");
    expect(posted.body).toMatchObject({ conclusion: "failure" });
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 50, deliveryId: "delivery-spooled", msg: expect.stringContaining("could not write the audit record") }));
    expect(h.logs).toContainEqual(expect.objectContaining({ auditSpooled: true, audit: expect.objectContaining({ deliveryId: "delivery-spooled" }) }));
    expect(h.trail.spooled).toBe(1);

    rmSync(join(root, "data"));
    mkdirSync(join(root, "data"));
    expect(await h.trail.flush()).toBe(true);
    const stored = await h.stored();
    expect(stored).toEqual([expect.objectContaining({ seq: 1, deliveryId: "delivery-spooled", checkRunId: 77 })]);
  });
});
