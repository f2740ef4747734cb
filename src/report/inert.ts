/**
 * How a piece of text from an event is written:
 * - `text`: Markdown that renders as exactly the text, on one line;
 * - `code`: one inline code span (the safe form for a single value: a path, a branch, a SHA);
 * - `plain`: for fields GitHub shows without Markdown (check-run and issue titles,
 *   annotations, deployment comments) — no backslashes, but still nothing that
 *   GitHub would turn into a link or a reference, should it render the field.
 */
export type InertForm = "text" | "code" | "plain";

/**
 * U+2060 WORD JOINER: invisible and not a word character, so `@⁠bob`,
 * `#⁠12` and `www⁠.` are no longer what GitHub links. The only invisible
 * character the output has: any in the input is shown as `<U+…>`.
 */
export const BREAK = "\u2060";

const LINE_BREAKS = /(?:\r\n|[\n\r\v\f\u0085\u2028\u2029])+/g;
/**
 * Characters that hide, reorder or fake text: controls, format characters
 * (bidi overrides, zero-width joiners, tag characters), surrogates,
 * unassigned code points, variation selectors and blank letters. Other
 * separators (non-breaking and wide spaces) become a plain space.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Co}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu;
const SPACES = /[\t\p{Zs}]/gu;

/** Characters that make Markdown inline syntax: escaped with a backslash in `text`. */
const INLINE_SYNTAX = /[\\`*_[\]<>&|~$]/g;
/** What starts a block when the text begins a line: a list item, a setext underline, a numbered list. */
const BLOCK_START = /^(?:([-+=])|(\d{1,9})([.)]))/;

const MARKER = "… (truncated)";

/**
 * Makes text that came from an event inert wherever the app writes it: a
 * file name, a branch, a commit line or an account name renders as itself and
 * nothing else — no link, image or autolink, no bare URL or e-mail, no
 * `@mention`, no `#12`, `owner/repo#12`, `GH-12` or commit-SHA reference, no
 * emoji, no HTML, no table cell break, no second line, and no invisible or
 * reordering character (those show as `<U+202E>`).
 *
 * GitHub links references and mentions in the text of the rendered HTML, so
 * Markdown escapes alone cannot stop them: `text` and `plain` put a word
 * joiner (`BREAK`) after `@`, `#` and a `:` not followed by a space, and inside `www.`, `GH-<n>` and any
 * run of 7+ hex digits; `code` relies on GitHub linking nothing inside code.
 * A code span's fence is longer than any backtick run in it, and its pipes
 * are escaped, which inside a table cell shows them as they are.
 *
 * `max` bounds the output's length: the text is cut (and marked as cut)
 * before it is escaped, never an escape or a fence in half.
 */
export function inert(text: string, form: InertForm = "text", max = Infinity): string {
  const shown = visible(text);
  const whole = render(shown, form);
  if (whole.length <= max) return whole;
  const chars = Array.from(shown);
  let keep = Math.floor((chars.length * max) / whole.length);
  for (;;) {
    const cut = render(chars.slice(0, Math.max(0, keep)).join("") + MARKER, form);
    if (cut.length <= max || keep <= 0) return cut.length <= max ? cut : "";
    keep -= Math.max(1, Math.ceil((cut.length - max) / 10));
  }
}

/** One line, with every hidden character spelled out. */
function visible(text: string): string {
  return text
    .replace(LINE_BREAKS, " ")
    .replace(SPACES, " ")
    .replace(HIDDEN, (ch) => `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`);
}

function render(shown: string, form: InertForm): string {
  switch (form) {
    case "code":
      return codeSpan(shown);
    case "plain":
      // `]`, `<` and `&` too: no `[x](y)` link, `<http://…>` autolink, tag or entity, should the field be rendered.
      return unlinked(shown).replace(/[\]<&]/g, `$&${BREAK}`);
    case "text":
      return unlinked(shown)
        .replace(INLINE_SYNTAX, "\\$&")
        .replace(BLOCK_START, (_, mark?: string, digits?: string, dot?: string) => (mark ? `\\${mark}` : `${digits}\\${dot}`))
        // A leading space as an entity: indentation would make a code block, or let a list marker after it count.
        .replace(/^ /, "&#32;");
  }
}

/** Breaks what GitHub links in rendered text: mentions, references, URLs, e-mails, SHAs, emoji. */
function unlinked(text: string): string {
  return text
    .replace(/[@#]|:(?!\s)/g, `$&${BREAK}`)
    .replace(/(www)(?=\.)/gi, `$1${BREAK}`)
    .replace(/(gh-)(?=\d)/gi, `$1${BREAK}`)
    .replace(/[0-9a-f]{7,}/gi, (run) => run.match(/.{1,6}/g)!.join(BREAK));
}

function codeSpan(shown: string): string {
  if (shown.length === 0) return "` `";
  const content = shown.replace(/\|/g, "\\|");
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space from each end when both are spaces: pad whenever an end is a space or a backtick.
  const pad = /^[ `]|[ `]$/.test(content) && content.trim() !== "" ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}
