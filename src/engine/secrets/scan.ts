import { addedLines } from "./added-lines.js";
import { accepts, DETECTORS } from "./detectors.js";
import { maskSecret } from "./mask.js";

/** A credential found on an added line. */
export interface SecretHit {
  /** 1-based line in the new file. */
  line: number;
  /** 1-based column of the match on that line. */
  column: number;
  /** What it looks like: `AWS access key id`. */
  kind: string;
  /** The detector's stable id: `aws-access-key-id`. */
  detector: string;
  /** The matched text shortened by `maskSecret`: never the credential itself. */
  masked: string;
}

/** One hit already decides the verdict; past this, more hits in a file add only noise. */
export const MAX_HITS_PER_FILE = 20;

/**
 * Credentials on the added lines of a GitHub `files[].patch`, in line and
 * column order, at most `maxHits`. Every line is scanned whatever its length
 * (a minified bundle or a data blob is where a credential hides best): pure
 * and linear in the patch size.
 */
export function scanAddedLines(patch: string, maxHits: number = MAX_HITS_PER_FILE): SecretHit[] {
  const hits: SecretHit[] = [];
  // Every added line is a piece of the patch, so a patch with no anchor anywhere has no line with one.
  if (!ANCHORS.test(patch)) return hits;
  for (const { line, text } of addedLines(patch)) {
    if (hits.length >= maxHits) break;
    for (const hit of scanLine(text, line, maxHits - hits.length)) hits.push(hit);
  }
  return hits;
}

/**
 * Every detector's regex starts at one of these literals, so a line with none
 * of them cannot match any detector: one test per line instead of one per
 * detector keeps a 3000-file pull request cheap. Keep in step with DETECTORS
 * (the true-positive tests fail when a detector's literal is missing here).
 */
const ANCHORS = /AKIA|ASIA|ABIA|ACCA|A3T|gh[pousr]_|github_pat_|glpat-|-----BEGIN |xox[bpar]-|hooks\.slack\.com|k_live_|AIza|npm_|sk-|eyJ/;

/**
 * The first `limit` hits of one line, in column order. Each detector stops
 * after `limit` hits of its own: its later matches lie right of `limit`
 * earlier hits, so they could never be among the first `limit`, and a
 * lower-priority match they would have overlapped lies right of them too.
 * That keeps `taken` at most `limit` × detectors long, so a megabyte line of
 * tokens costs a bounded check per match, not one per earlier hit.
 */
function scanLine(text: string, line: number, limit: number): SecretHit[] {
  if (limit <= 0 || !ANCHORS.test(text)) return [];
  const taken: Array<[start: number, end: number]> = [];
  const hits: SecretHit[] = [];
  for (const detector of DETECTORS) {
    let kept = 0;
    for (const match of text.matchAll(detector.regex)) {
      const start = match.index;
      const end = start + match[0].length;
      if (taken.some(([s, e]) => start < e && s < end) || !accepts(detector, match)) continue;
      taken.push([start, end]);
      hits.push({ line, column: start + 1, kind: detector.kind, detector: detector.id, masked: maskSecret(match[0]) });
      if (++kept >= limit) break;
    }
  }
  return hits.sort((a, b) => a.column - b.column).slice(0, limit);
}
