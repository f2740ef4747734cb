import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

export interface Person {
  name: string;
  email: string;
}

export const HUMAN: Person = { name: "Octo Dev", email: "dev@example.com" };
export const COPILOT_GIT: Person = { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" };

/** What one commit does: a path's new content (string or bytes), `null` to delete it, or `{ renameFrom }` / `{ symlink }`. */
export type Change = string | Buffer | null | { renameFrom: string } | { symlink: string };

/**
 * A real git repository in a temporary directory, removed after the test.
 * Commit dates are fixed (one minute apart), so the same steps give the same
 * commit SHAs on every machine.
 */
export class TempRepo {
  readonly dir: string;
  private tick = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "agent-policy-cli-"));
    this.git("init", "-q", "-b", "main");
    created.push(this.dir);
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", ...args], {
      cwd: this.dir,
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    });
  }

  /** Applies `changes` and commits them as `author` (committer too unless given); returns the commit SHA. */
  commit(message: string, changes: Record<string, Change>, author: Person = HUMAN, committer: Person = author): string {
    for (const [path, change] of Object.entries(changes)) {
      const file = join(this.dir, path);
      if (change === null) {
        this.git("rm", "-q", "--", path);
        continue;
      }
      if (typeof change === "object" && !Buffer.isBuffer(change) && "renameFrom" in change) {
        mkdirSync(dirname(file), { recursive: true });
        this.git("mv", "--", change.renameFrom, path);
        continue;
      }
      mkdirSync(dirname(file), { recursive: true });
      rmSync(file, { force: true });
      if (typeof change === "object" && !Buffer.isBuffer(change)) symlinkSync(change.symlink, file);
      else writeFileSync(file, change);
      this.git("add", "--", path);
    }
    const date = new Date(Date.UTC(2026, 10, 20, 10, this.tick++)).toISOString();
    execFileSync("git", ["-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-F", "-"], {
      cwd: this.dir,
      input: message,
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: date,
      },
    });
    return this.git("rev-parse", "HEAD").trim();
  }

  /** Replaces a tracked file by a plain file (for type changes). */
  unlink(path: string): void {
    unlinkSync(join(this.dir, path));
  }
}

const created: string[] = [];

afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});
