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

/**
 * How many lines a diff adds: compared with the count GitHub lists, it tells a
 * cut-off patch. The lines `addedLines` yields, counted in one scan of the
 * text without cutting it into lines.
 */
export function countAddedLines(patch: string): number {
  let count = 0;
  let inHunk = false;
  for (let start = 0; start <= patch.length; ) {
    let end = patch.indexOf("\n", start);
    if (end === -1) end = patch.length;
    const marker = patch.charCodeAt(start);
    if (marker === AT && patch.charCodeAt(start + 1) === AT) {
      if (!inHunk) inHunk = HUNK_HEADER.test(patch.slice(start, end));
    } else if (inHunk && marker === PLUS) {
      count += 1;
    }
    start = end + 1;
  }
  return count;
}

const AT = "@".charCodeAt(0);
const PLUS = "+".charCodeAt(0);
