import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

export type ParsedOptions<T extends Options> =
  | { ok: true; values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>["values"]; positionals: string[] }
  | { ok: false; message: string };

/**
 * A verb's arguments, strictly: an unknown option, a missing value or a
 * repeated single option is a usage error with a message a person can act on
 * (node's own messages, minus their error-code prefix).
 */
export function parseOptions<T extends Options>(args: readonly string[], options: T): ParsedOptions<T> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { ok: true, values, positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, "").split("\n")[0] ?? "invalid arguments";
    return { ok: false, message: message.replace(/\. To specify a positional argument.*$/, "") };
  }
}

/** A `--format` value, checked against the formats a verb offers. */
export function pickFormat<F extends string>(value: string | undefined, formats: readonly F[], fallback: F): F | { error: string } {
  if (value === undefined) return fallback;
  return (formats as readonly string[]).includes(value) ? (value as F) : { error: `--format must be one of ${formats.join(", ")}, not '${value}'` };
}
