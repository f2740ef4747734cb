import type { Policy } from "../policy/schema.js";
import { globSet } from "./glob.js";
import type { GlobSet } from "./glob-set.js";

/**
 * How one path stands with one agent's `paths`: the first of its deny globs
 * that the path matches, else `true` when one of its allow globs matches,
 * else `false`.
 */
export type PathStanding = string | boolean;

/**
 * Every declared agent's `paths.deny` and `paths.allow`, each side joined into
 * one indexed glob set for the whole policy, so a changed path is looked up
 * once for all the agents of a change instead of once per agent: with many
 * agents, a path is tested only against the few globs whose literal prefix,
 * name or extension it has. Deny globs match case-insensitively, allow globs
 * case as stored (see `glob.ts`); each agent's globs keep their list order, so
 * its first deny match is the one its own list would give.
 */
export class AgentPathScopes {
  private readonly position = new Map<string, number>();
  private readonly deny: GlobSet;
  private readonly allow: GlobSet;
  /** For each glob of the joined lists, the position of the agent it belongs to. */
  private readonly denyOwner: number[] = [];
  private readonly allowOwner: number[] = [];
  /** Agents whose allow list is empty: they may change no path. */
  private readonly allowsNothing: boolean[] = [];

  constructor(agents: Policy["agents"]) {
    const denyPatterns: string[] = [];
    const allowPatterns: string[] = [];
    for (const [key, agent] of Object.entries(agents)) {
      const at = this.position.size;
      this.position.set(key, at);
      for (const pattern of agent.paths.deny) {
        denyPatterns.push(pattern);
        this.denyOwner.push(at);
      }
      for (const pattern of agent.paths.allow) {
        allowPatterns.push(pattern);
        this.allowOwner.push(at);
      }
      this.allowsNothing.push(agent.paths.allow.length === 0);
    }
    this.deny = globSet(denyPatterns, "deny");
    this.allow = globSet(allowPatterns, "allow");
  }

  /**
   * A judge of paths for the agents `keys` (each declared in the policy): for
   * one path, how it stands with each agent's paths, in the order of `keys`.
   * An agent that the path already matches a deny glob of is not tested
   * against its allow list.
   */
  judge(keys: readonly string[]): (path: string) => PathStanding[] {
    const slot = new Int32Array(this.position.size).fill(-1);
    keys.forEach((key, i) => (slot[this.position.get(key)!] = i));
    return (path) => {
      const standing: PathStanding[] = new Array<PathStanding>(keys.length).fill(false);
      this.deny.visit(
        path,
        (index) => {
          const i = slot[this.denyOwner[index]!]!;
          return i !== -1 && typeof standing[i] !== "string";
        },
        (index) => (standing[slot[this.denyOwner[index]!]!] = this.deny.patterns[index]!),
      );
      this.allow.visit(
        path,
        (index) => {
          const i = slot[this.allowOwner[index]!]!;
          return i !== -1 && standing[i] === false;
        },
        (index) => (standing[slot[this.allowOwner[index]!]!] = true),
      );
      return standing;
    };
  }

  /** True when the agent's allow list is empty. */
  allowsNoPath(key: string): boolean {
    return this.allowsNothing[this.position.get(key)!]!;
  }
}

// One per policy's agents (the same object for every event under a policy, which is cached by blob SHA).
const scopes = new WeakMap<Policy["agents"], AgentPathScopes>();

/** The joined path scopes of `agents`, built once per object. */
export function agentPathScopes(agents: Policy["agents"]): AgentPathScopes {
  let found = scopes.get(agents);
  if (!found) {
    found = new AgentPathScopes(agents);
    scopes.set(agents, found);
  }
  return found;
}
