import { shannonEntropy } from "./entropy.js";
import { looksLikePlaceholder } from "./placeholder.js";

/**
 * One credential shape. Regexes stay linear: a literal prefix behind a
 * negative lookbehind (so a match can only start where a token starts, never
 * inside a run of token characters), then bounded or single-class bodies ended
 * by a negative lookahead. The named group `secret`, when present, is the
 * random part that the entropy threshold is measured on.
 */
export interface Detector {
  /** Stable id, for tests and logs. */
  id: string;
  /** What the value looks like, for messages: `GitHub token`. */
  kind: string;
  /** Must be global (`g`). */
  regex: RegExp;
  /** Minimum Shannon entropy, in bits per character, of the `secret` group (or the whole match). */
  entropy?: number;
  /** The match is fixed text (a PEM header), not a value: no placeholder check. */
  literal?: boolean;
  validate?: (match: string) => boolean;
}

/** Random tokens of 16+ characters measure well above this; `a1B2a1B2…` or `abcabc…` measure below. */
const LOOSE = 3.0;

/**
 * In priority order: when two matches overlap on a line, the earlier detector
 * wins (a service-account `private_key` line is reported once, not also as a
 * bare PEM header).
 */
export const DETECTORS: readonly Detector[] = [
  {
    id: "aws-access-key-id",
    kind: "AWS access key id",
    regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])(?<secret>[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    entropy: LOOSE,
  },
  { id: "github-token", kind: "GitHub token", regex: /(?<!\w)gh[pousr]_(?<secret>[A-Za-z0-9]{36})(?!\w)/g, entropy: LOOSE },
  { id: "github-fine-grained-token", kind: "GitHub fine-grained token", regex: /(?<!\w)github_pat_(?<secret>\w{82})(?!\w)/g, entropy: LOOSE },
  { id: "gitlab-token", kind: "GitLab access token", regex: /(?<![\w-])glpat-(?<secret>[\w-]{20,})(?![\w-])/g, entropy: LOOSE },
  {
    id: "gcp-service-account-key",
    kind: "GCP service-account private key",
    regex: /"private_key"\s*:\s*"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g,
    literal: true,
  },
  { id: "private-key", kind: "private key", regex: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g, literal: true },
  { id: "slack-token", kind: "Slack token", regex: /(?<![\w-])xox[bpar]-(?<secret>[A-Za-z0-9-]{20,})(?![\w-])/g, entropy: LOOSE },
  {
    id: "slack-webhook",
    kind: "Slack webhook URL",
    regex: /hooks\.slack\.com\/services\/(?<secret>T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{16,})(?![A-Za-z0-9])/g,
    entropy: LOOSE,
  },
  { id: "stripe-live-key", kind: "Stripe live key", regex: /(?<![\w-])[sr]k_live_(?<secret>[A-Za-z0-9]{24,})(?![A-Za-z0-9])/g, entropy: LOOSE },
  { id: "google-api-key", kind: "Google API key", regex: /(?<![\w-])AIza(?<secret>[\w-]{35})(?![\w-])/g, entropy: LOOSE },
  { id: "npm-token", kind: "npm access token", regex: /(?<![\w-])npm_(?<secret>[A-Za-z0-9]{36})(?![A-Za-z0-9])/g, entropy: LOOSE },
  {
    id: "anthropic-api-key",
    kind: "Anthropic API key",
    regex: /(?<![\w-])sk-ant-(?:api03|admin01)-(?<secret>[\w-]{93}AA)(?![\w-])/g,
    entropy: LOOSE,
  },
  {
    id: "openai-api-key",
    kind: "OpenAI API key",
    regex: /(?<![\w-])sk-(?:proj|svcacct|admin)-(?<secret>[\w-]{20,}T3BlbkFJ[\w-]{20,})(?![\w-])/g,
    entropy: LOOSE,
  },
  {
    id: "openai-legacy-api-key",
    kind: "OpenAI API key",
    regex: /(?<![\w-])sk-(?<secret>[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![\w-])/g,
    entropy: LOOSE,
  },
  {
    id: "jwt",
    kind: "JSON Web Token",
    regex: /(?<![\w-])eyJ[\w-]{12,}\.eyJ[\w-]{12,}\.(?<secret>[\w-]{16,})(?![\w-])/g,
    entropy: LOOSE,
    validate: jwtHeaderHasAlg,
  },
];

/** Whether a regex match of `detector` is a credential rather than a placeholder or a low-entropy lookalike. */
export function accepts(detector: Detector, match: RegExpMatchArray): boolean {
  if (!detector.literal && looksLikePlaceholder(match[0])) return false;
  const judged = match.groups?.["secret"] ?? match[0];
  if (detector.entropy !== undefined && shannonEntropy(judged) < detector.entropy) return false;
  return detector.validate?.(match[0]) ?? true;
}

/** A JWT's first part decodes to a JSON object naming its algorithm. */
function jwtHeaderHasAlg(token: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf(".")), "base64url").toString("utf8"));
    return typeof header === "object" && header !== null && typeof (header as { alg?: unknown }).alg === "string";
  } catch {
    return false;
  }
}
