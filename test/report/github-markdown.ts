import { createRequire } from "node:module";

/** GitHub's own Markdown parser (cmark-gfm), with the extensions github.com enables; raw HTML is kept so any that gets through shows. */
const cmark = createRequire(import.meta.url)("cmark-gfm") as {
  renderHtmlSync(markdown: string, options: object): string;
};

const OPTIONS = { extensions: { table: true, autolink: true, strikethrough: true, tasklist: true }, unsafe: true, footnotes: true };

export function renderGfm(markdown: string): string {
  return cmark.renderHtmlSync(markdown, OPTIONS);
}

/** Tags that structure or style text but link nothing. */
const STRUCTURE = new Set([
  ...["p", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "strong", "em", "del", "ul", "ol", "li", "blockquote", "br", "hr"],
  ...["h1", "h2", "h3", "h4", "h5", "h6"],
]);

/**
 * Everything live in rendered Markdown, as GitHub would show it: links and
 * images cmark-gfm made, raw HTML tags other than plain structure, and in the
 * text outside code what GitHub's filters link after rendering — `@mentions`
 * (and e-mails), `#12`, `owner/repo#12`, `GH-12`, commit SHAs (7+ hex
 * digits), URLs and `www.` hosts, `:emoji:`. Deliberately broader than
 * GitHub (any `@` or `#` before a word character counts), so an empty list
 * means none of them.
 */
export function liveElements(markdown: string): string[] {
  const html = renderGfm(markdown);
  const live: string[] = [];
  let text = "";
  let codeDepth = 0;
  for (const part of html.split(/(<[^>]*>)/)) {
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>$/.exec(part);
    if (tag) {
      const [, closing, name] = tag;
      const lower = name!.toLowerCase();
      if (lower === "code" || lower === "pre") codeDepth += closing ? -1 : 1;
      if (!STRUCTURE.has(lower)) live.push(part);
      text += " ";
      continue;
    }
    if (part.startsWith("<")) {
      live.push(part);
      continue;
    }
    if (codeDepth === 0) text += decodeEntities(part);
    else text += " ";
  }
  for (const pattern of TEXT_LINKS) for (const m of text.matchAll(pattern)) live.push(m[0]);
  return live;
}

const TEXT_LINKS: readonly RegExp[] = [
  /@[A-Za-z0-9_][\w/-]*/g,
  /#[0-9]+/g,
  /\bgh-[0-9]+/gi,
  /[0-9a-f]{7,}/gi,
  /[a-z][a-z0-9+.-]*:\/\//gi,
  /\bwww\./gi,
  /\b(?:mailto|xmpp):[^\s\u2060]/gi,
  /:(?:[a-z][a-z0-9_+-]*|[+-]1|100|1234|8ball):/gi,
];

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The text a reader sees (tags dropped, entities decoded, word joiners removed), for fidelity checks. */
export function visibleText(markdown: string): string {
  return decodeEntities(renderGfm(markdown).replace(/<[^>]*>/g, ""))
    .replace(/\u2060/g, "")
    .trim();
}
