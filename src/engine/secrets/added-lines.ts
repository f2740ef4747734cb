/** One line a diff adds. */
export interface AddedLine {
  /** 1-based line number in the new file. */
  line: number;
  /** The line without its leading `+` (and without a trailing `\r`). */
  text: string;
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * The added lines of a unified diff as GitHub returns it in `files[].patch`:
 * hunks only, no file headers. Lines before the first hunk header are ignored;
 * a line that starts with `@@` is always a hunk header (content lines carry a
 * ` `, `+` or `-` prefix). Context lines (and blank lines, which some tools
 * emit for an empty context line) advance the new-file line number; removed
 * lines and `\ No newline at end of file` do not.
 */
export function* addedLines(patch: string): Generator<AddedLine> {
  let next: number | undefined;
  for (const raw of patch.split("\n")) {
    if (raw.startsWith("@@")) {
      // An unparsable header (GitHub never sends one) keeps the numbering: scanning goes on.
      const header = HUNK_HEADER.exec(raw);
      if (header) next = Number(header[1]);
      continue;
    }
    if (next === undefined) continue;
    const marker = raw[0];
    if (marker === "+") {
      yield { line: next, text: raw.endsWith("\r") ? raw.slice(1, -1) : raw.slice(1) };
      next += 1;
    } else if (marker === " " || marker === undefined) {
      next += 1;
    }
  }
}

/** How many lines a diff adds: compared with the count GitHub lists, it tells a cut-off patch. */
export function countAddedLines(patch: string): number {
  let count = 0;
  for (const _ of addedLines(patch)) count += 1;
  return count;
}
