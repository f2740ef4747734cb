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
