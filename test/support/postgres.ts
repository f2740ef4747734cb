import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** A private PostgreSQL server on loopback, in a temporary directory. */
export interface PostgresServer {
  /** A database of its own on that server. */
  url: string;
  /** A URL for another database on the same server. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed server's binaries (Debian's `postgresql` package), or a clear failure. */
function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb). These tests run a real server: install Debian's postgresql package (apt-get install -y postgresql; .ci/run does this).",
    );
  }
  return join(root, versions[0]!, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb into a fresh temporary directory (as the `postgres` user when
 * running as root, since the server refuses to run as root), start it with
 * pg_ctl on 127.0.0.1 and a free port, its socket in the same directory, and
 * create a database. `stop()` stops the server and removes the directory.
 */
export async function startPostgres(database = "agent_policy_test"): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "agent-policy-pg-"));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) } : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const options = { ...(user ?? {}), env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", HOME: dir } };
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  try {
    await run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], options);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=50`;
      try {
        await run(join(bin, "pg_ctl"), ["-D", data, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"], options);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    const urlFor = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
    const createDatabase = async (name: string) => {
      const admin = new pg.Client({ connectionString: urlFor("postgres") });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return urlFor(name);
    };
    const url = await createDatabase(database);
    return {
      url,
      urlFor,
      createDatabase,
      stop: async () => {
        await run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], options).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a private PostgreSQL server: ${(error as Error).message}\n${log}`, { cause: error });
  }
}
