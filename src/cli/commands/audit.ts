import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ChainedAuditRecord } from "../../audit/audit-chain.js";
import { AUDIT_DECISIONS, type AuditDecision } from "../../audit/audit-record.js";
import { AuditStoreError, type AuditQuery, type AuditStore } from "../../audit/audit-store.js";
import { openAuditSource } from "../audit/audit-source.js";
import { csvBundle, jsonlBundle } from "../audit/export-bundle.js";
import { jsonLine, recordTable, terminalSafe } from "../audit/format-records.js";
import { parseTime } from "../audit/parse-time.js";
import { verifyBundle } from "../audit/verify-bundle.js";
import { usageError, type CliCommand, type CliIo } from "../command.js";

const USAGE = `Usage: agent-policy audit <verify|query|export> [options]

Reads the audit trail: the JSON-lines file (--file PATH, default $AUDIT_FILE,
else ./data/audit.jsonl) or PostgreSQL (--database-url URL, default
$DATABASE_URL when set). Never changes it.

  agent-policy audit verify [--file PATH | --database-url URL] [--head SEQ:HASH] [--bundle PATH]
      Walks the whole hash chain and reports the first edited, missing,
      reordered, re-linked or cut-off record. --head also requires the chain
      to reach a head recorded elsewhere (an export bundle, your SIEM).
      --bundle checks an export bundle against the store.
      Exit 0 intact, 1 broken, 2 usage or connection error.

  agent-policy audit query [--file PATH | --database-url URL] [--repo OWNER/NAME]
      [--agent KEY] [--verdict allow|step_up|deny|error] [--rule RULE-ID]
      [--since T] [--until T] [--format table|json]
      Prints the matching records in chain order: a table (default) or JSON,
      one record per line.

  agent-policy audit export --since T [--until T] --format jsonl|csv
      [--file PATH | --database-url URL] [--output PATH]
      An evidence bundle of the records from T on, with the store's chain
      head: jsonl (a header line, then the records) or csv (for
      spreadsheets). Check it later with 'audit verify --bundle PATH'.

T is an ISO 8601 date or date-time (2026-11-01, 2026-11-01T12:00:00Z) or a
duration back from now (30m, 24h, 7d). --until is exclusive.
`;

const SOURCE_OPTIONS = { file: { type: "string" }, "database-url": { type: "string" } } as const;

export const auditCommand: CliCommand = {
  name: "audit",
  summary: "verify, query or export the audit trail",
  usage: USAGE,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === "verify") return withStore(io, rest, { ...SOURCE_OPTIONS, head: { type: "string" }, bundle: { type: "string" } }, verify);
    if (verb === "query") {
      const options = { ...SOURCE_OPTIONS, repo: { type: "string" }, agent: { type: "string" }, verdict: { type: "string" }, rule: { type: "string" }, since: { type: "string" }, until: { type: "string" }, format: { type: "string" } } as const;
      return withStore(io, rest, options, query);
    }
    if (verb === "export") {
      const options = { ...SOURCE_OPTIONS, since: { type: "string" }, until: { type: "string" }, format: { type: "string" }, output: { type: "string" } } as const;
      return withStore(io, rest, options, exportBundle);
    }
    return usageError(io, "audit", verb === undefined ? "which one: verify, query or export?" : `unknown sub-command '${verb}'`);
  },
};

type Values = Record<string, string | undefined>;
type Action = (store: AuditStore, values: Values, io: CliIo) => Promise<number | string>;

/** Parses the options, opens the store, runs the action; a string from the action is a usage error. */
async function withStore(io: CliIo, args: string[], options: NonNullable<ParseArgsConfig["options"]>, action: Action): Promise<number> {
  let values: Values;
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: false });
    values = parsed.values as Values;
  } catch (error) {
    return usageError(io, "audit", (error as Error).message.replace(/\. To specify .*$/s, ""));
  }
  const store = openAuditSource({ ...(values.file !== undefined ? { file: values.file } : {}), ...(values["database-url"] !== undefined ? { databaseUrl: values["database-url"] } : {}) }, io);
  if (typeof store === "string") return usageError(io, "audit", store);
  try {
    const result = await action(store, values, io);
    return typeof result === "string" ? usageError(io, "audit", result) : result;
  } catch (error) {
    if (!(error instanceof AuditStoreError)) throw error;
    io.stderr(`agent-policy audit: ${terminalSafe(error.message)}\n`);
    return 2;
  } finally {
    await store.close().catch(() => undefined);
  }
}

async function verify(store: AuditStore, values: Values, io: CliIo): Promise<number | string> {
  let expectedHead;
  if (values.head !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(values.head);
    if (!match) return "--head takes SEQ:HASH, e.g. 118:9a0e… (64 hex digits)";
    expectedHead = { seq: Number(match[1]), hash: match[2]! };
  }
  if (values.bundle !== undefined) {
    if (expectedHead) return "give --head or --bundle, not both (a bundle carries its head)";
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, values.bundle), "utf8");
    } catch (error) {
      return `cannot read the bundle: ${(error as Error).message}`;
    }
    const check = await verifyBundle(text, store);
    if (!check.ok) {
      io.stdout(`bundle does NOT match ${store.location}: ${terminalSafe(check.problem ?? "")}\n`);
      return 1;
    }
    io.stdout(`bundle matches ${store.location}: ${check.records} records; the store's chain is intact and reaches the bundle's head${check.head ? ` (record ${check.head.seq}, ${check.head.hash})` : ""}\n`);
    return 0;
  }
  const result = await store.verify(expectedHead ? { expectedHead } : {});
  if (!result.ok) {
    const where = [result.break!.seq !== undefined ? `record ${result.break!.seq}` : undefined, result.break!.line !== undefined ? `line ${result.break!.line}` : undefined].filter(Boolean).join(", ");
    io.stdout(`audit chain BROKEN in ${store.location}${where ? ` at ${where}` : ""}: ${result.break!.kind}: ${result.break!.message}\n`);
    return 1;
  }
  io.stdout(`audit chain intact in ${store.location}: ${result.records} records${result.head ? `, head ${result.head.seq}:${result.head.hash}` : ""}\n`);
  return 0;
}

async function query(store: AuditStore, values: Values, io: CliIo): Promise<number | string> {
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") return `--format is table or json, not '${format}'`;
  const filter = queryFilter(values, new Date());
  if (typeof filter === "string") return filter;
  const records: ChainedAuditRecord[] = [];
  for await (const record of store.query(filter)) {
    if (format === "json") io.stdout(jsonLine(record));
    else records.push(record);
  }
  if (format === "table") {
    if (records.length === 0) io.stderr("no matching records\n");
    else io.stdout(recordTable(records));
  }
  return 0;
}

async function exportBundle(store: AuditStore, values: Values, io: CliIo): Promise<number | string> {
  if (values.since === undefined) return "export needs --since T";
  if (values.format !== "jsonl" && values.format !== "csv") return "export needs --format jsonl or --format csv";
  const now = new Date();
  const filter = queryFilter(values, now);
  if (typeof filter === "string") return filter;
  const head = await store.head();
  const records: ChainedAuditRecord[] = [];
  for await (const record of store.query(filter)) records.push(record);
  const header = {
    exportedAt: now.toISOString(),
    source: store.location,
    since: filter.since!.toISOString(),
    ...(filter.until ? { until: filter.until.toISOString() } : {}),
    ...(head ? { chainHead: head } : {}),
  };
  const text = values.format === "jsonl" ? jsonlBundle(records, header) : csvBundle(records, header);
  if (values.output === undefined) io.stdout(text);
  else {
    try {
      await writeFile(resolve(io.cwd, values.output), text, { flag: "wx" });
    } catch (error) {
      return `cannot write ${values.output}: ${(error as Error).message}`;
    }
    io.stderr(`exported ${records.length} records to ${values.output}; chain head ${head ? `${head.seq}:${head.hash}` : "(empty store)"}\n`);
  }
  return 0;
}

function queryFilter(values: Values, now: Date): AuditQuery | string {
  const filter: AuditQuery = {};
  if (values.repo !== undefined) filter.repository = values.repo;
  if (values.agent !== undefined) filter.agent = values.agent;
  if (values.rule !== undefined) filter.ruleId = values.rule;
  if (values.verdict !== undefined) {
    if (!(AUDIT_DECISIONS as readonly string[]).includes(values.verdict)) return `--verdict is one of ${AUDIT_DECISIONS.join(", ")}, not '${values.verdict}'`;
    filter.decision = values.verdict as AuditDecision;
  }
  for (const key of ["since", "until"] as const) {
    if (values[key] === undefined) continue;
    const time = parseTime(values[key]!, now);
    if (!time) return `--${key} '${values[key]}' is not a date, date-time or duration (2026-11-01, 2026-11-01T12:00:00Z, 7d)`;
    filter[key] = time;
  }
  return filter;
}
