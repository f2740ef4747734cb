// Appends records to the PostgreSQL audit store from a process of its own:
// node test/support/audit-writer.mjs DATABASE_URL WRITER COUNT
// Uses the build (dist/), as the app does. Prints the seqs it got, one JSON line.
import { PostgresAuditStore } from "../../dist/audit/postgres-audit-store.js";

const [url, writer, count] = process.argv.slice(2);
const store = new PostgresAuditStore(url, { poolSize: 3 });
const record = (i) => ({
  schemaVersion: 1,
  time: new Date().toISOString(),
  deliveryId: `${writer}-${i}`,
  repository: "acme/api",
  event: "pull_request",
  action: "opened",
  agents: [{ key: writer, declared: true }],
  assets: [],
  decision: "allow",
  ruleIds: [],
  findings: [],
  frameworks: { nhi: [], asi: [], csf: [] },
  approvers: [],
  policy: { source: "built-in", path: ".agent-policy.yml", ref: "main", valid: true },
  response: "none",
  responded: true,
  severity: "info",
});
const seqs = await Promise.all(Array.from({ length: Number(count) }, (_, i) => store.append(record(i)).then((r) => r.seq)));
await store.close();
process.stdout.write(`${JSON.stringify({ writer, seqs })}\n`);
