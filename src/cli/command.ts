/** Where a command writes; injected so tests capture output and decide colour. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal: only then may output use colour. */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The clock for decisions (expiry); the current time when absent. */
  now?: () => Date;
}

/**
 * One verb of the `agent-policy` command. `run` gets the arguments after the
 * verb and returns the exit code; it never calls `process.exit` and never
 * throws on bad user input (it prints a usage error and returns 2, or the
 * code its verb documents).
 */
export interface CliCommand {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** The verb's full `--help` text. */
  usage: string;
  run: (args: string[], io: CliIo) => Promise<number>;
}

/**
 * A usage error: the message, then a pointer to the verb's help. Exit code 2,
 * unless the verb's codes give 2 another meaning (`check`: deny).
 */
export function usageError(io: CliIo, command: string, message: string, exitCode = 2): number {
  io.stderr(`agent-policy ${command}: ${message}\nRun 'agent-policy ${command} --help' for usage.\n`);
  return exitCode;
}
