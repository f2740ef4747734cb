import { loadPolicy, PolicyCache } from "../github/load-policy.js";
import type { Octokit } from "../github/octokit.js";
import { statusOf } from "../github/errors.js";
import { CHECK_NAME } from "../report/check-run-output.js";

/** What the policy on the default branch says about its agents, and whether the check is required there. */
export interface RepositoryFacts {
  defaultBranch?: string;
  policy: "valid" | "invalid" | "absent" | "unreadable";
  policySha?: string;
  mode?: string;
  agents: { key: string; owner?: string; expires?: string; suspended: boolean }[];
  /** "unknown" when GitHub would not say (403, 404, failure). */
  requiredCheck: boolean | "unknown";
}

/** The installation client for an installation id (Probot's `auth`). */
export type InstallationClient = (installationId: number) => Promise<Octokit>;

/**
 * Reads each repository's policy from its default branch with the
 * installation token (parses cached by blob SHA, conditional requests) and
 * the default branch's rules and protection, for the posture and agents views.
 */
export class RepositoryFactsReader {
  private readonly cache = new PolicyCache();
  private readonly recent = new Map<string, { at: number; facts: RepositoryFacts }>();

  constructor(
    private readonly client: InstallationClient,
    private readonly ttlMs = 60_000,
  ) {}

  async read(installationId: number, repository: string, now = Date.now()): Promise<RepositoryFacts> {
    const key = repository.toLowerCase();
    const hit = this.recent.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.facts;
    const facts = await this.fetch(installationId, repository);
    if (this.recent.size > 5000) this.recent.clear();
    this.recent.set(key, { at: now, facts });
    return facts;
  }

  private async fetch(installationId: number, repository: string): Promise<RepositoryFacts> {
    const [owner, repo] = repository.split("/") as [string, string];
    let octokit: Octokit;
    let defaultBranch: string;
    try {
      octokit = await this.client(installationId);
      defaultBranch = (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    } catch {
      return { policy: "unreadable", agents: [], requiredCheck: "unknown" };
    }
    let facts: RepositoryFacts = { defaultBranch, policy: "unreadable", agents: [], requiredCheck: "unknown" };
    try {
      const loaded = await loadPolicy(octokit, { owner, repo, defaultBranch }, this.cache);
      if (loaded.source === "built-in") facts = { ...facts, policy: "absent" };
      else if (!loaded.result.ok) facts = { ...facts, policy: "invalid", ...(loaded.sha ? { policySha: loaded.sha } : {}) };
      else {
        const policy = loaded.result.policy;
        facts = {
          ...facts,
          policy: "valid",
          ...(loaded.sha ? { policySha: loaded.sha } : {}),
          mode: policy.mode,
          agents: Object.entries(policy.agents).map(([key, agent]) => ({
            key,
            ...(agent.owner ? { owner: agent.owner } : {}),
            ...(agent.expires ? { expires: agent.expires } : {}),
            suspended: Boolean(agent.suspended),
          })),
        };
      }
    } catch {
      // unreadable: the view says so, it never guesses
    }
    return { ...facts, requiredCheck: await requiredCheck(octokit, owner, repo, defaultBranch) };
  }
}

/** Whether CHECK_NAME is required on `branch`, by the rulesets that apply to it or by branch protection. */
async function requiredCheck(octokit: Octokit, owner: string, repo: string, branch: string): Promise<boolean | "unknown"> {
  let rulesKnown = false;
  try {
    const rules = (await octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner, repo, branch, per_page: 100 })).data as {
      type: string;
      parameters?: { required_status_checks?: { context: string }[] };
    }[];
    rulesKnown = true;
    if (rules.some((r) => r.type === "required_status_checks" && r.parameters?.required_status_checks?.some((c) => c.context === CHECK_NAME))) return true;
  } catch {
    // fall through to branch protection
  }
  try {
    const protection = (await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks", { owner, repo, branch })).data as {
      contexts?: string[];
      checks?: { context: string }[];
    };
    return Boolean(protection.contexts?.includes(CHECK_NAME) || protection.checks?.some((c) => c.context === CHECK_NAME));
  } catch (error) {
    // 404 here means "no required checks by protection": with the rules known, the answer is no.
    return rulesKnown && statusOf(error) === 404 ? false : "unknown";
  }
}
