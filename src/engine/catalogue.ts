/**
 * The built-in catalogue of well-known AI coding assistants, as pure data.
 *
 * Contract: an identity here must be unambiguous. Numeric ids and full e-mail
 * addresses are preferred; logins are listed only when nobody else can hold
 * them (`xxx[bot]` app logins, distinctive user accounts). The bare logins
 * `Copilot` (coding agent 198982749 and reviewer 175728472 share it) and
 * `claude` (a human, id 81847) must never appear. Trailers are evidence, not
 * authentication: they catch assistants that run under a human's token.
 *
 * Adding an assistant is a one-entry change; its `id` becomes the key users
 * write in `match.catalogue` and is therefore stable.
 */
export interface CatalogueEntry {
  /** Stable lower-case id, usable in `agents.<name>.match.catalogue`. */
  id: string;
  name: string;
  ids: readonly number[];
  logins: readonly string[];
  emails: readonly string[];
  /** Whole commit-message lines; `*` is a wildcard; case-insensitive. */
  trailers: readonly string[];
  /** Suffixes of a commit author/committer name, e.g. aider's ` (aider)`. */
  authorNameSuffixes: readonly string[];
}

type EntryInput = Pick<CatalogueEntry, "id" | "name"> & Partial<Omit<CatalogueEntry, "id" | "name">>;

function entry(input: EntryInput): CatalogueEntry {
  return { ids: [], logins: [], emails: [], trailers: [], authorNameSuffixes: [], ...input };
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  entry({
    id: "copilot-coding-agent",
    name: "GitHub Copilot coding agent",
    ids: [198982749],
    logins: ["copilot-swe-agent[bot]"],
    emails: ["198982749+Copilot@users.noreply.github.com", "198982749+copilot-swe-agent[bot]@users.noreply.github.com"],
  }),
  entry({
    id: "claude",
    name: "Claude (GitHub app)",
    ids: [209825114, 208546643, 215619710],
    logins: ["claude[bot]", "claude-code-action[bot]", "anthropic-claude[bot]"],
    emails: ["209825114+claude[bot]@users.noreply.github.com"],
  }),
  entry({
    id: "claude-code",
    name: "Claude Code",
    emails: ["noreply@anthropic.com"],
    trailers: ["Co-authored-by: Claude*<noreply@anthropic.com>", "*Generated with [Claude Code]*"],
  }),
  entry({
    id: "devin",
    name: "Devin",
    ids: [158243242],
    logins: ["devin-ai-integration[bot]"],
    emails: ["158243242+devin-ai-integration[bot]@users.noreply.github.com"],
  }),
  entry({
    id: "cursor-agent",
    name: "Cursor agent",
    ids: [201670782],
    logins: ["cursoragent[bot]"],
    emails: ["cursoragent@cursor.com"],
  }),
  entry({
    id: "jules",
    name: "Google Jules",
    ids: [161369871],
    logins: ["google-labs-jules[bot]"],
    emails: ["161369871+google-labs-jules[bot]@users.noreply.github.com"],
  }),
  entry({
    id: "codex",
    name: "OpenAI Codex",
    ids: [215057067],
    logins: ["openai-codex[bot]"],
    emails: ["codex@openai.com"],
  }),
  entry({
    id: "amazon-q",
    name: "Amazon Q Developer",
    ids: [208079219],
    logins: ["amazon-q-developer[bot]"],
    emails: ["208079219+amazon-q-developer[bot]@users.noreply.github.com"],
  }),
  entry({
    id: "openhands",
    name: "OpenHands",
    logins: ["openhands-agent", "openhands-ai[bot]"],
    emails: ["openhands@all-hands.dev"],
  }),
  entry({ id: "sweep", name: "Sweep", logins: ["sweep-ai[bot]", "sweep-nightly[bot]"] }),
  entry({ id: "factory", name: "Factory", ids: [138933559], logins: ["factory-droid[bot]"] }),
  entry({ id: "cline", name: "Cline", ids: [205137888], logins: ["cline[bot]"] }),
  entry({ id: "kiro", name: "Kiro", logins: ["kiro-agent[bot]"] }),
  entry({ id: "codegen", name: "Codegen", logins: ["codegen-sh[bot]"] }),
  entry({ id: "tembo", name: "Tembo", logins: ["tembo[bot]"] }),
  entry({ id: "mentat", name: "Mentat", logins: ["mentatbot[bot]"] }),
  entry({ id: "ellipsis", name: "Ellipsis", logins: ["ellipsis-dev[bot]"] }),
  entry({ id: "opencode", name: "opencode", logins: ["opencode-agent[bot]"] }),
  entry({ id: "aider", name: "aider", emails: ["aider@aider.chat"], authorNameSuffixes: [" (aider)"] }),
  entry({ id: "amp", name: "Amp", emails: ["amp@ampcode.com"] }),
  entry({ id: "replit-agent", name: "Replit Agent", trailers: ["Replit-Commit-Author: Agent"] }),
];

/**
 * Bots that review or comment but do not author code. They are not agents of a
 * change, but they are bots: they must never count as step-up approvers.
 */
export interface ReviewBot {
  id: string;
  name: string;
  ids: readonly number[];
  logins: readonly string[];
}

export const REVIEW_BOTS: readonly ReviewBot[] = [
  { id: "coderabbit", name: "CodeRabbit", ids: [136622811], logins: ["coderabbitai[bot]"] },
  { id: "gemini-code-assist", name: "Gemini Code Assist", ids: [176961590], logins: ["gemini-code-assist[bot]"] },
  { id: "copilot-reviewer", name: "GitHub Copilot reviewer", ids: [175728472], logins: ["copilot-pull-request-reviewer[bot]"] },
  { id: "cursor-bugbot", name: "Cursor Bugbot", ids: [206951365], logins: ["cursor[bot]"] },
  { id: "codex-connector", name: "ChatGPT Codex connector", ids: [199175422], logins: ["chatgpt-codex-connector[bot]"] },
];

export function findCatalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((e) => e.id === id);
}
