import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BREAK, inert, type InertForm } from "../../src/report/inert.js";
import { liveElements, renderGfm, visibleText } from "./github-markdown.js";

/** Pieces an attacker would put in a file name, branch or commit line, each with what a reader must see. */
const PIECES: ReadonlyArray<readonly [raw: string, shown: string]> = [
  ...["[", "]", "(", ")", "!", "<", ">", "@", "#", "`", "``", "|", "\\", "*", "_", "~", "$", ":", "/", ".", "-", "+", "=", "&", ";", "^", "{", "}", '"', "'", "%"].map(
    (c) => [c, c] as const,
  ),
  ...["a", "Z", "1", "9", " ", "  ", "www.", "http://", "https:", "mailto:", "evil.example", "x@y.io", "GH-", "gh-7", "deadbeef", "abc1234", "1234567",
    "0123456789abcdef0123456789abcdef01234567", "owner/repo", "&amp;", "&#64;", "&#x40;", "<img src=x>", "<a href=y>", "<!--", "-->", ":smile:", "[^1]",
    "1.", "1)", "---", "===", "- ", "# ", "> ", "    ", "\\|", "$$", "~~", "**", "__", "javascript:", "é", "日本", "👍"].map((c) => [c, c] as const),
  ["\n", "\n"], ["\r\n", "\n"], ["\r", "\n"], ["\u2028", "\n"], ["\t", " "], ["\u00a0", " "], ["\u3000", " "],
  ["\u0000", "<U+0000>"], ["\u001b", "<U+001B>"], ["\u007f", "<U+007F>"], ["\u0085", "\n"],
  ["\u202e", "<U+202E>"], ["\u2066", "<U+2066>"], ["\u200b", "<U+200B>"], ["\u200d", "<U+200D>"], ["\u2060", "<U+2060>"], ["\ufeff", "<U+FEFF>"],
  ["\u00ad", "<U+00AD>"], ["\u{e0041}", "<U+E0041>"], ["\ufe0f", "<U+FE0F>"], ["\u3164", "<U+3164>"],
];

const hostile = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((pieces) => ({
  raw: pieces.map(([raw]) => raw).join(""),
  shown: pieces
    .map(([, shown]) => shown)
    .join("")
    .replace(/\n+/g, " "),
}));

/** Fixed seed: a failure reproduces; many runs, because each one is cheap. */
const RUNS = { seed: 20261130, numRuns: 1500 } as const;

const FORMS: readonly InertForm[] = ["text", "code", "plain"];

/** Browsers show runs of white space as one. */
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** Where the app puts inert text: inside a sentence of its own, a table cell, a line of its own. */
function contexts(out: string): string[] {
  return [`Before ${out} after.`, `| a | b |\n|---|---|\n| ${out} | x |`, out, `- ${out}`];
}

describe("inert: event text renders as itself and nothing more", () => {
  it("no output, rendered as GitHub-flavoured Markdown, holds a link, image, mention, reference or HTML (property)", () => {
    fc.assert(
      fc.property(fc.oneof(hostile.map((h) => h.raw), fc.string({ unit: "binary", maxLength: 40 })), fc.constantFrom(...FORMS), (raw, form) => {
        for (const doc of contexts(inert(raw, form))) expect(liveElements(doc), doc).toEqual([]);
      }),
      RUNS,
    );
  });

  it("text shows exactly the input on one line, hidden characters spelled out (property)", () => {
    fc.assert(
      fc.property(hostile, ({ raw, shown }) => {
        const out = inert(raw, "text");
        expect(out).not.toMatch(/[\r\n]/);
        for (const doc of contexts(out)) expect(renderGfm(doc).match(/<(?!\/?(?:p|table|thead|tbody|tr|th|td|ul|li)>)[^>]*>/g) ?? [], doc).toEqual([]);
        expect(squash(visibleText(`Before ${out} after.`))).toBe(squash(`Before ${shown} after.`));
      }),
      RUNS,
    );
  });

  it("code is one code span holding exactly the input, in a table cell too (property)", () => {
    fc.assert(
      fc.property(hostile, ({ raw, shown }) => {
        const out = inert(raw, "code");
        const html = renderGfm(`| a |\n|---|\n| ${out} |`);
        expect(html.match(/<code>/g) ?? [], html).toHaveLength(1);
        expect(squash(visibleText(`| a |\n|---|\n| ${out} |`))).toBe(squash(`a ${shown}`));
      }),
      RUNS,
    );
  });

  it("plain carries no Markdown escapes: only the word joiner is added", () => {
    fc.assert(
      fc.property(hostile, ({ raw, shown }) => {
        expect(inert(raw, "plain").replaceAll(BREAK, "")).toBe(shown);
      }),
      RUNS,
    );
  });

  it.each([
    ["a file name that plants a link", "infra/[Re-run approved - click here](https:evil.example).tf", "text"],
    ["an image", "![x](https://evil.example/a.png)", "text"],
    ["a cross-repository reference", "release/acme/payroll#1", "plain"],
    ["a mention and a team", "cc @octocat @acme/security", "text"],
    ["a bare URL and an e-mail", "see https://evil.example or www.evil.example, or mail a@evil.example", "text"],
    ["HTML", '<img src=x onerror="alert(1)"> <details open>', "text"],
    ["a table break and a new line", "a | b\n| c |", "text"],
    ["a commit SHA and GH-12", "fixes ec26c3e57ca3 and GH-12", "plain"],
  ] as const)("%s stays inert", (_, raw, form) => {
    const out = inert(raw, form);
    for (const doc of contexts(out)) expect(liveElements(doc)).toEqual([]);
    expect(out.replaceAll(BREAK, "")).not.toBe("");
  });

  it("spells out bidi, zero-width and control characters instead of passing them on", () => {
    expect(inert("main\u202e\u200blmx.txt\u0007")).toBe("main\\<U+202E\\>\\<U+200B\\>lmx.txt\\<U+0007\\>");
    expect(inert("a\u202eb", "code")).toBe("`a<U+202E>b`");
    expect(inert("a\u202eb", "plain")).toBe(`a<${BREAK}U+202E>b`);
  });

  it("keeps a code span whole whatever backticks it holds, and never writes a bare fence", () => {
    expect(inert("a`b", "code")).toBe("``a`b``");
    expect(inert("`a", "code")).toBe("`` `a ``");
    expect(inert("", "code")).toBe("` `");
    expect(inert("a|b", "code")).toBe("`a\\|b`");
  });

  it("cuts to max before escaping, so a fence or an escape is never cut in half", () => {
    const long = "[x](https://evil.example) `tick` ".repeat(200);
    for (const form of FORMS) {
      const out = inert(long, form, 300);
      expect(out.length).toBeLessThanOrEqual(300);
      expect(out).toContain("truncated");
      expect(liveElements(out)).toEqual([]);
      if (form === "code") expect(renderGfm(out).match(/<code>/g)).toHaveLength(1);
    }
  });
});
