/**
 * Fake credentials for the secret-content tables, built at runtime from a
 * seeded generator so that this repository never holds a literal token-shaped
 * string (which would trip secret scanners, including our own).
 */

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const ALNUM = UPPER + UPPER.toLowerCase() + DIGITS;
const URLSAFE = ALNUM + "-_";
const BASE32 = UPPER + "234567";

/** Deterministic (mulberry32) so a failure reproduces; each call continues the sequence. */
export function randomGenerator(seed: number): (alphabet: string, length: number) => string {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (alphabet, length) => {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
}

const rand = randomGenerator(20260615);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const pemHeader = (type: string) => "-----" + "BEGIN " + type + " KEY-----";

export interface Sample {
  name: string;
  /** The added line. */
  line: string;
  /** The text the detector matches: it must never appear in a finding. */
  value: string;
  kind: string;
  detector: string;
}

function sample(name: string, detector: string, kind: string, value: string, line = `token = "${value}"`): Sample {
  return { name, detector, kind, value, line };
}

const gcpKey = `"private_key": "${pemHeader("PRIVATE")}`;
const jwt = b64url({ alg: "HS256", typ: "JWT" }) + "." + b64url({ sub: rand(ALNUM, 12), iat: 1750000000 }) + "." + rand(URLSAFE, 43);
const slackHook = "hooks.slack.com/services/T" + rand(UPPER + DIGITS, 8) + "/B" + rand(UPPER + DIGITS, 10) + "/" + rand(ALNUM, 24);

/** One or more per detector. */
export const TRUE_POSITIVES: readonly Sample[] = [
  sample("AWS AKIA", "aws-access-key-id", "AWS access key id", "AKIA" + rand(BASE32, 16)),
  sample("AWS ASIA", "aws-access-key-id", "AWS access key id", "ASIA" + rand(BASE32, 16)),
  sample("AWS A3T", "aws-access-key-id", "AWS access key id", "A3TX" + rand(BASE32, 16)),
  sample("GitHub PAT", "github-token", "GitHub token", "ghp_" + rand(ALNUM, 36)),
  sample("GitHub installation token", "github-token", "GitHub token", "ghs_" + rand(ALNUM, 36)),
  sample("GitHub fine-grained", "github-fine-grained-token", "GitHub fine-grained token", "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59)),
  sample("GitLab", "gitlab-token", "GitLab access token", "glpat-" + rand(ALNUM, 20)),
  sample("RSA private key", "private-key", "private key", pemHeader("RSA PRIVATE"), pemHeader("RSA PRIVATE")),
  sample("OpenSSH private key", "private-key", "private key", pemHeader("OPENSSH PRIVATE"), `  ${pemHeader("OPENSSH PRIVATE")}`),
  sample("GCP service account", "gcp-service-account-key", "GCP service-account private key", gcpKey, `  ${gcpKey}\\n${rand(ALNUM, 64)}\\n",`),
  sample("Slack bot token", "slack-token", "Slack token", "xoxb-" + rand(DIGITS, 12) + "-" + rand(DIGITS, 13) + "-" + rand(ALNUM, 24)),
  sample("Slack user token", "slack-token", "Slack token", "xoxp-" + rand(DIGITS, 12) + "-" + rand(DIGITS, 12) + "-" + rand(ALNUM, 32)),
  sample("Slack webhook", "slack-webhook", "Slack webhook URL", slackHook, `SLACK_URL=https://${slackHook}`),
  sample("Stripe secret key", "stripe-live-key", "Stripe live key", "sk_live_" + rand(ALNUM, 24)),
  sample("Stripe restricted key", "stripe-live-key", "Stripe live key", "rk_live_" + rand(ALNUM, 99)),
  sample("Google API key", "google-api-key", "Google API key", "AIza" + rand(URLSAFE, 35)),
  sample("npm token", "npm-token", "npm access token", "npm_" + rand(ALNUM, 36)),
  sample("Anthropic key", "anthropic-api-key", "Anthropic API key", "sk-ant-api03-" + rand(URLSAFE, 93) + "AA"),
  sample("OpenAI project key", "openai-api-key", "OpenAI API key", "sk-proj-" + rand(URLSAFE, 74) + "T3Blbk" + "FJ" + rand(URLSAFE, 74)),
  sample("OpenAI legacy key", "openai-legacy-api-key", "OpenAI API key", "sk-" + rand(ALNUM, 20) + "T3Blbk" + "FJ" + rand(ALNUM, 20)),
  sample("JWT", "jwt", "JSON Web Token", jwt, `Authorization: Bearer ${jwt}`),
];

/** Token-shaped text that must not fire. */
export const FALSE_POSITIVES: ReadonlyArray<[name: string, line: string]> = [
  ["AWS documentation key", `aws_access_key_id = ${"AKIA" + "IOSFODNN7EXAMPLE"}`],
  ["AWS low entropy", "key: AKIA" + "ABABABABABABABAB"],
  ["AWS repeated run", "key: AKIA" + "QQQQQ" + rand(BASE32, 11)],
  ["AWS inside a longer word", "X" + "AKIA" + rand(BASE32, 16)],
  ["GitHub xxxx placeholder", "GITHUB_TOKEN=ghp_" + "x".repeat(36)],
  ["GitHub low entropy", "ghp_" + "a1B2".repeat(9)],
  ["GitHub too long", "ghp_" + rand(ALNUM, 37)],
  ["GitHub your_ placeholder", "ghp_" + "your_token_here"],
  ["Stripe xxxx placeholder", "STRIPE_KEY=sk_live_" + "x".repeat(24)],
  ["Stripe <placeholder>", "STRIPE_KEY=sk_live_" + "<your-secret-key>"],
  ["Stripe YOUR_ placeholder", "STRIPE_KEY=sk_live_" + "YOUR_STRIPE_SECRET_KEY"],
  ["Slack docs webhook", "https://hooks.slack.com/services/T" + "00000000/B" + "00000000/" + "X".repeat(24)],
  ["npm zeros", "npm_" + "0".repeat(36)],
  ["Google EXAMPLE", "AIza" + "SyEXAMPLE" + rand(ALNUM, 26)],
  ["OpenAI legacy without the marker", "sk-" + rand(ALNUM, 48)],
  ["JWT too short", "eyJ.eyJ."],
  ["JWT short parts", "eyJhbGci.eyJzdWIi.abc"],
  ["JWT whose header is not JSON", "eyJ" + rand(ALNUM, 20) + ".eyJ" + rand(ALNUM, 20) + "." + rand(ALNUM, 30)],
  ["template variable", "password = ${SECRET}"],
  ["angle-bracket placeholder", "token: <YOUR_GITHUB_TOKEN>"],
  ["public key", "-----" + "BEGIN PUBLIC KEY-----"],
  ["service account type alone", '"type": "service_account",'],
];
