import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordHash, type ChainedAuditRecord } from "../../src/audit/audit-chain.js";
import { FileAuditStore } from "../../src/audit/file-audit-store.js";
import { runCli } from "../../src/cli/main.js";
import { sampleRecord } from "../audit/records.js";
import { captureIo, root } from "./io.js";

/** A store of `n` records on consecutive days from 2026-11-01, alternating repositories and verdicts. */
async function storeWith(n: number) {
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-cli-audit-"));
  const path = join(dir, "audit.jsonl");
  const store = new FileAuditStore(path);
  for (let i = 0; i < n; i++) {
    await store.append(
      sampleRecord({
        deliveryId: `d-${i + 1}`,
        time: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
        repository: i % 2 ? "acme/web" : "acme/api",
        decision: i % 2 ? "allow" : "deny",
        ...(i % 2 ? { ruleIds: [], findings: [], agents: [{ key: "copilot", declared: true }] } : {}),
      }),
    );
  }
  await store.close();
  return { dir, path };
}

const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean);
const writeLines = (path: string, ls: string[]) => writeFileSync(path, ls.map((l) => `${l}\n`).join(""));

async function cli(...args: string[]) {
  const io = captureIo({ cwd: root });
  const code = await runCli(["audit", ...args], io);
  return { code, out: io.out, err: io.err };
}

describe("agent-policy audit verify", () => {
  it("says an intact chain is intact, with its head, and exits 0", async () => {
    const { path } = await storeWith(5);
    const head = JSON.parse(lines(path)[4]!) as ChainedAuditRecord;
    const result = await cli("verify", "--file", path);
    expect(result).toEqual({ code: 0, out: `audit chain intact in ${path}: 5 records, head 5:${head.hash}\n`, err: "" });
  });

  const tamperings: [string, (path: string) => void, RegExp][] = [
    ["an edited record", (p) => writeLines(p, lines(p).map((l, i) => (i === 2 ? l.replace('"decision":"deny"', '"decision":"allow"') : l))), /at record 3, line 3: edited/],
    ["a deleted record", (p) => writeLines(p, lines(p).filter((_, i) => i !== 1)), /at record 3, line 2: missing: records 2 are missing/],
    ["swapped records", (p) => writeLines(p, ((ls) => [ls[0]!, ls[2]!, ls[1]!, ls[3]!, ls[4]!])(lines(p))), /reordered/],
    ["the last records cut away", (p) => writeLines(p, lines(p).slice(0, 3)), /truncated: the chain ends at record 3, but its head was recorded at record 5/],
    ["a record cut in the middle", (p) => truncateSync(p, readFileSync(p).length - 40), /line 5: truncated/],
    [
      "a record changed and re-hashed",
      (p) =>
        writeLines(
          p,
          lines(p).map((l, i) => {
            if (i !== 1) return l;
            const forged = { ...JSON.parse(l), decision: "deny" };
            return JSON.stringify({ ...forged, hash: recordHash(forged) });
          }),
        ),
      /at record 3, line 3: broken-link/,
    ],
  ];
  for (const [what, tamper, message] of tamperings) {
    it(`finds ${what} and exits 1`, async () => {
      const { path } = await storeWith(5);
      tamper(path);
      const result = await cli("verify", "--file", path);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/^audit chain BROKEN/);
      expect(result.out).toMatch(message);
    });
  }

  it("checks the chain against a head given with --head", async () => {
    const { path } = await storeWith(3);
    const second = JSON.parse(lines(path)[1]!) as ChainedAuditRecord;
    expect((await cli("verify", "--file", path, "--head", `2:${second.hash}`)).code).toBe(0);
    expect((await cli("verify", "--file", path, "--head", `2:${"a".repeat(64)}`)).out).toMatch(/head-mismatch/);
    expect((await cli("verify", "--file", path, "--head", `9:${second.hash}`)).out).toMatch(/truncated/);
    expect((await cli("verify", "--file", path, "--head", "2:xyz")).code).toBe(2);
  });

  it("exits 2 on usage errors and a missing file", async () => {
    const { dir, path } = await storeWith(1);
    expect(await cli("verify", "--file", join(dir, "nope.jsonl"))).toMatchObject({ code: 2, err: expect.stringContaining("no audit file at") });
    expect(await cli("verify", "--file", path, "--database-url", "postgres://x/y")).toMatchObject({ code: 2, err: expect.stringContaining("not both") });
    expect(await cli("verify", "--frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--frobnicate'") });
    expect(await cli("verify", "--file", path, "extra")).toMatchObject({ code: 2 });
    expect(await cli("explode")).toMatchObject({ code: 2, err: expect.stringContaining("unknown sub-command 'explode'") });
    expect(await cli()).toMatchObject({ code: 2 });
  });

  it("reads AUDIT_FILE from the environment when no source is given", async () => {
    const { path } = await storeWith(2);
    const io = captureIo({ env: { AUDIT_FILE: path } });
    expect(await runCli(["audit", "verify"], io)).toBe(0);
    expect(io.out).toContain(`intact in ${path}: 2 records`);
  });

  it("prints its usage on --help", async () => {
    const result = await cli("query", "--help");
    expect(result.code).toBe(0);
    expect(result.out).toContain("agent-policy audit query [--file PATH | --database-url URL]");
  });
});

describe("agent-policy audit query", () => {
  it("filters by repository, agent, verdict, rule and time, one JSON record per line", async () => {
    const { path } = await storeWith(6);
    const seqs = async (...args: string[]) => {
      const r = await cli("query", "--file", path, "--format", "json", ...args);
      expect(r.code).toBe(0);
      return r.out.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as ChainedAuditRecord).seq);
    };
    expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await seqs("--repo", "acme/web")).toEqual([2, 4, 6]);
    expect(await seqs("--agent", "copilot", "--verdict", "allow")).toEqual([2, 4, 6]);
    expect(await seqs("--rule", "secret-file")).toEqual([1, 3, 5]);
    expect(await seqs("--since", "2026-11-02", "--until", "2026-11-04T00:00:00Z")).toEqual([2, 3]);
    expect(await cli("query", "--file", path, "--verdict", "maybe")).toMatchObject({ code: 2, err: expect.stringContaining("--verdict is one of allow, step_up, deny, error") });
    expect(await cli("query", "--file", path, "--since", "last tuesday")).toMatchObject({ code: 2 });
  });

  it("prints a table by default, with terminal control characters made inert", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-policy-cli-audit-"));
    const store = new FileAuditStore(join(dir, "audit.jsonl"));
    await store.append(sampleRecord({ repository: "acme/\u001b[31mred\u009b2J" }));
    await store.close();
    const result = await cli("query", "--file", join(dir, "audit.jsonl"));
    expect(result.out.split("\n")[0]).toMatch(/^SEQ\s+TIME\s+REPOSITORY\s+EVENT\s+DECISION\s+AGENTS\s+RULES\s+RESPONSE$/);
    expect(result.out).toContain("acme/\ufffd[31mred\ufffd2J");
    expect(result.out).not.toMatch(/[\u001b\u009b]/);
    expect(result.out).toContain("pull_request.opened  deny");
  });
});

describe("agent-policy audit export", () => {
  it("writes a JSON-lines bundle with the chain head, which verify --bundle checks against the store", async () => {
    const { dir, path } = await storeWith(5);
    const exported = await cli("export", "--file", path, "--since", "2026-11-03", "--format", "jsonl");
    expect(exported.code).toBe(0);
    const [header, ...records] = exported.out.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(header).toMatchObject({ bundle: "agent-policy-audit-export", records: 3, firstSeq: 3, lastSeq: 5, chainHead: { seq: 5, hash: records[2].hash }, source: path });
    const bundle = join(dir, "bundle.jsonl");
    writeFileSync(bundle, exported.out);
    expect(await cli("verify", "--file", path, "--bundle", bundle)).toMatchObject({ code: 0, out: expect.stringContaining("bundle matches") });

    writeFileSync(bundle, exported.out.replace('"decision":"deny"', '"decision":"allow"'));
    expect(await cli("verify", "--file", path, "--bundle", bundle)).toMatchObject({ code: 1, out: expect.stringContaining("do not match its digest") });

    writeFileSync(bundle, exported.out);
    writeLines(path, lines(path).slice(0, 4));
    expect(await cli("verify", "--file", path, "--bundle", bundle)).toMatchObject({ code: 1, out: expect.stringContaining("truncated") });
  });

  it("writes a CSV bundle whose cells cannot become spreadsheet formulas, and checks it against the store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-policy-cli-audit-"));
    const path = join(dir, "audit.jsonl");
    const store = new FileAuditStore(path);
    await store.append(sampleRecord({ ref: "x", assets: ["=HYPERLINK(\"http://evil\",\"x\")", "path:a,b"] }));
    await store.append(sampleRecord({ deliveryId: "@SUM(1)" }));
    await store.close();
    const output = join(dir, "bundle.csv");
    const exported = await cli("export", "--file", path, "--since", "30d", "--format", "csv", "--output", output);
    expect(exported.code).toBe(0);
    const csv = readFileSync(output, "utf8");
    expect(csv).toMatch(/^# agent-policy-audit-export /);
    expect(csv).toMatch(/^# chainHead seq=2 hash=[0-9a-f]{64}\r$/m);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""x"") path:a,b"`);
    expect(csv).toContain(",'@SUM(1),");
    expect(await cli("verify", "--file", path, "--bundle", output)).toMatchObject({ code: 0 });
    expect(await cli("export", "--file", path, "--since", "30d", "--format", "csv", "--output", output)).toMatchObject({ code: 2, err: expect.stringContaining("EEXIST") });
    expect(await cli("export", "--file", path, "--format", "csv")).toMatchObject({ code: 2, err: expect.stringContaining("--since") });
    expect(await cli("export", "--file", path, "--since", "1d", "--format", "xml")).toMatchObject({ code: 2 });
  });
});

describe("the agent-policy bin", () => {
  it("exits 0 for an intact chain and 1 for a broken one", async () => {
    const { path } = await storeWith(3);
    const bin = join(root, "dist/cli/main.js");
    expect(spawnSync(process.execPath, [bin, "audit", "verify", "--file", path], { encoding: "utf8" }).status).toBe(0);
    writeLines(path, lines(path).filter((_, i) => i !== 1));
    const broken = spawnSync(process.execPath, [bin, "audit", "verify", "--file", path], { encoding: "utf8" });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain("missing");
  });
});
