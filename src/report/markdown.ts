/** Escapes text for a GitHub-flavoured Markdown table cell: no pipes, no line breaks, no HTML. */
export function cell(text: string | undefined): string {
  if (!text) return "—";
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\r\n]+/g, " ");
}

/**
 * Inline code that survives any backticks and pipes in the value, so text from
 * an event (branch names, paths, commit identities) can neither end the span
 * early nor split a table cell, and stays literal: no live @mention, link or
 * `#123` reference. The fence is longer than the longest backtick run inside;
 * pipes are escaped as GFM tables require (outside a table the backslash shows).
 */
export function code(text: string): string {
  const clean = text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  if (longest === 0) return `\`${clean}\``;
  const fence = "`".repeat(longest + 1);
  return `${fence} ${clean} ${fence}`;
}

/** Cuts `text` to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = "… (truncated)";
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}

/**
 * Appends lines to a document until `budget` characters are used; returns how
 * many lines did not fit, so the caller can say so instead of overflowing
 * GitHub's limits.
 */
export function appendWithin(lines: string[], budget: number, add: readonly string[]): number {
  let used = lines.reduce((n, l) => n + l.length + 1, 0);
  for (let i = 0; i < add.length; i++) {
    const line = add[i]!;
    if (used + line.length + 1 > budget) return add.length - i;
    lines.push(line);
    used += line.length + 1;
  }
  return 0;
}
