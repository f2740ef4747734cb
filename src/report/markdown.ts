/** Cuts `text` to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = "… (truncated)";
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}

/**
 * Appends lines to a document until `budget` characters are used; returns how
 * many items did not fit, so the caller can say so instead of overflowing
 * GitHub's limits. Items are rendered one at a time and only while they fit:
 * a decision with 300 000 findings costs what the summary shows.
 */
export function appendWithin<T = string>(lines: string[], budget: number, items: readonly T[], render: (item: T) => string = String): number {
  let used = 0;
  for (const line of lines) used += line.length + 1;
  for (let i = 0; i < items.length; i++) {
    const line = render(items[i]!);
    if (used + line.length + 1 > budget) return items.length - i;
    lines.push(line);
    used += line.length + 1;
  }
  return 0;
}
