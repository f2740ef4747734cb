/**
 * Text for a terminal. Paths, branch names and commit identities come from
 * the change being judged, so an assistant writes them: every control
 * character (escape sequences could recolour, hide or rewrite lines, or
 * set the window title) is shown as a `\u` escape instead of being sent.
 */
export function inertLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Several lines (a remedy's YAML): each line made inert, line breaks kept. */
export function inertLines(text: string): string {
  return text.split(/\r?\n/).map(inertLine).join("\n");
}

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/** ANSI colours when `enabled` (stdout is a terminal and NO_COLOR is unset), plain text otherwise. */
export function paint(enabled: boolean): Paint {
  if (!enabled) {
    const same = (text: string) => text;
    return { bold: same, dim: same, red: same, yellow: same, green: same };
  }
  return { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), yellow: ansi(33, 39), green: ansi(32, 39) };
}
