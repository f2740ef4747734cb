import { fileURLToPath } from "node:url";
import type { CliIo } from "../../src/cli/command.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** A CliIo that records what a command printed. */
export function captureIo(overrides: Partial<CliIo> = {}): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    isTty: false,
    env: {},
    cwd: root,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    ...overrides,
  };
  return io;
}
