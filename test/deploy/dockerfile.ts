/** One instruction of a Dockerfile stage, keyword upper-cased. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** One `FROM` stage with its instructions in order. */
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
export function dockerfileStages(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = "", args = ""] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === "FROM") {
      const [, from = "", name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ from, ...(name ? { name } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** The `KEY=value` pairs of `ENV` instructions (the `KEY=value KEY2=value2` form). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === "ENV")) {
    for (const [, key = "", value = ""] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[key] = value.replace(/^"|"$/g, "");
  }
  return env;
}

/** A `COPY` instruction: its `--from` stage (if any) and its sources and destination. */
export function copyOf(instruction: Instruction): { from?: string; sources: string[]; destination: string } {
  const from = /--from=(\S+)/.exec(instruction.args)?.[1];
  const words = instruction.args.replace(/--\S+/g, "").trim().split(/\s+/);
  return { ...(from ? { from } : {}), sources: words.slice(0, -1), destination: words.at(-1)! };
}
