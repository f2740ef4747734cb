#!/usr/bin/env node
import { pathToFileURL } from "node:url";
import type { CliCommand, CliIo } from "./command.js";
import { auditCommand } from "./commands/audit.js";
import { checkCommand } from "./commands/check.js";
import { explainCommand } from "./commands/explain.js";
import { schemaCommand } from "./commands/schema.js";
import { validateCommand } from "./commands/validate.js";

/** Every verb, in the order `--help` lists them. Each lives in `commands/<verb>.ts`. */
export const COMMANDS: readonly CliCommand[] = [validateCommand, checkCommand, explainCommand, schemaCommand, auditCommand];

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const verbs = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `Usage: agent-policy <command> [options]\n\nCommands:\n${verbs}\n\nRun 'agent-policy <command> --help' for a command's options.\n`;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
    (verb === undefined ? io.stderr : io.stdout)(topUsage());
    return verb === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === verb);
  if (!command) {
    io.stderr(`agent-policy: unknown command '${verb}'\n\n${topUsage()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.usage);
    return 0;
  }
  return command.run(rest, io);
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    env: process.env,
    cwd: process.cwd(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2), processIo());
}
