import { describe, expect, it } from "vitest";
import { cpuMs } from "../support/cpu-time.js";
import { formatPolicyIssue, parsePolicy, type PolicyIssue } from "../../src/policy/parse-policy.js";

/**
 * Hostile or absurd policy files must be refused with a clear, positioned
 * error, quickly. The CPU-time bound is generous (CI has two cores); what it proves
 * is that refusal does not scale with the attack (an alias bomb expanded, or a
 * glob's braces multiplied, would take seconds or exhaust memory).
 */
const BOUND_MS = 500;

function refuse(text: string): PolicyIssue[] {
  let result: ReturnType<typeof parsePolicy> | undefined;
  const elapsed = cpuMs(() => (result = parsePolicy(text)));
  expect(elapsed, "refusal CPU time in ms").toBeLessThan(BOUND_MS);
  if (!result) throw new Error("parsePolicy returned nothing");
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.issues;
}

const formatted = (issues: PolicyIssue[]) => issues.map(formatPolicyIssue);

describe("parsePolicy refuses hostile input quickly", () => {
  it("refuses a billion-laughs alias bomb at its first anchor", () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    }
    expect(formatted(refuse(["version: 1", ...levels].join("\n")))).toEqual([
      ".agent-policy.yml:2:4: YAML anchors and aliases (&name, *name) are not allowed in a policy file; write each value out where it applies",
    ]);
  });

  it("refuses an alias even without an anchor in sight", () => {
    expect(formatted(refuse("version: 1\nmode: *m\n"))[0]).toMatch(/^\.agent-policy\.yml:2:7: YAML anchors and aliases/);
  });

  it("refuses a 10 MB file before parsing it", () => {
    expect(formatted(refuse(`version: 1\n# ${"x".repeat(10 * 1024 * 1024)}\n`))).toEqual([
      ".agent-policy.yml:1:1: the policy file is 10241 KiB; the limit is 256 KiB",
    ]);
  });

  it("measures the limit in UTF-8 bytes, not characters", () => {
    const text = `version: 1\ndescription: "${"é".repeat(140 * 1024)}"\n`;
    expect(text.length).toBeLessThan(256 * 1024);
    expect(formatted(refuse(text))).toEqual([".agent-policy.yml:1:1: the policy file is 281 KiB; the limit is 256 KiB"]);
  });

  const globs: Array<[string, string, string]> = [
    ["50 brace sets", "{a,b}".repeat(50), "glob has more than 4 brace sets"],
    ["four 26-way brace sets (456 976 expansions)", "{a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z}/".repeat(4), "glob expands to more than 64 patterns"],
    ["a huge numeric range", "logs/{1..1000000}.txt", "glob expands to more than 64 patterns"],
    ["nested braces", "{a,{b,{c,{d,{e,f}}}}}", "glob has more than 4 brace sets"],
    ["a 10 000-character pattern", "a/".repeat(5000), "glob is longer than 256 characters"],
    ["a pile of wildcards", "*a".repeat(40), "glob has more than 16 wildcards"],
    ["an extglob", "+(a|b)/**", "extglob patterns such as '+(…)' or '!(…)' are not supported"],
    ["a trailing '/', which no changed path has (it would protect nothing)", "src/auth/", "glob must not end with '/'; write 'dir/**' for everything below a directory"],
    ["a brace alternative with a trailing '/'", "src/{auth/,api}", "glob must not end with '/'; write 'dir/**' for everything below a directory"],
  ];
  it.each(globs)("refuses a pathological glob: %s", (_, glob, problem) => {
    const issues = refuse(`version: 1\nsecret_files:\n  - ${JSON.stringify(glob)}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 3, column: 5, keyPath: ["secret_files", 0] });
    expect(issues[0]?.message).toContain(`secret_files[0] is not a usable glob (${problem})`);
    expect(issues[0]?.message.length).toBeLessThan(200);
  });

  it("refuses brace patterns that multiply across many globs", () => {
    const many = Array.from({ length: 40 }, (_, i) => `  - "src/${i}/{a,b,c,d}/{e,f,g,h}/{i,j,k,l}"`);
    expect(formatted(refuse(["version: 1", "secret_files:", ...many].join("\n")))).toEqual([
      ".agent-policy.yml:35:5: the policy's brace patterns such as {a,b} expand to more than 2048 globs in total; list fewer alternatives",
    ]);
  });

  it("refuses flow sequences nested 10 000 deep", () => {
    expect(formatted(refuse(`version: 1\nsecret_files: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`))).toEqual([
      ".agent-policy.yml:2:79: the policy file nests values more than 64 levels deep",
    ]);
  });

  it("refuses flow mappings nested 10 000 deep", () => {
    expect(formatted(refuse(`version: 1\nagents: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`))).toEqual([
      ".agent-policy.yml:2:265: the policy file nests values more than 64 levels deep",
    ]);
  });

  it("refuses block mappings nested deeper than 64 levels", () => {
    const nested = Array.from({ length: 100 }, (_, depth) => `${" ".repeat(depth)}k${depth}:`).join("\n");
    expect(formatted(refuse(`version: 1\n${nested} x\n`))).toEqual([
      ".agent-policy.yml:67:66: the policy file nests values more than 64 levels deep",
    ]);
  });

  it("refuses compact block sequences nested deeper than 64 levels", () => {
    expect(formatted(refuse(`version: 1\nsecret_files:\n  ${"- ".repeat(1000)}x\n`))[0]).toMatch(
      /^\.agent-policy\.yml:3:\d+: the policy file nests values more than 64 levels deep$/,
    );
  });

  it("refuses a file with too many YAML tokens before parsing it", () => {
    const [issue, ...rest] = refuse(`version: 1\n${"\n".repeat(200_000)}`);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      column: 1,
      message: "the policy file is too large to check: more than 10000 YAML tokens (a policy is normally a few hundred lines)",
    });
    // Each blank line is one token: the refusal comes about 10 000 lines in, not at the end of the 200 000.
    expect(issue?.line).toBeGreaterThan(9_900);
    expect(issue?.line).toBeLessThanOrEqual(10_001);
  });

  it("refuses a document with too many values", () => {
    // `[:,:,…]` is the densest YAML there is: three values (a pair, its empty key and value) per four tokens.
    const [issue, ...rest] = refuse(`version: 1\nsecret_files: [${":,".repeat(2000)}x]\n`);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      line: 2,
      message: "the policy file is too large to check: more than 5000 YAML values (a policy is normally a few hundred lines)",
    });
  });

  it("finds a duplicate among thousands of keys", () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`).join(",");
    const column = "agents: {".length + keys.length + ",".length + 1;
    expect(formatted(refuse(`version: 1\nagents: {${keys},k0}\n`))).toEqual([
      `.agent-policy.yml:2:${column}: duplicate key "k0" in agents; a key may appear only once in a mapping`,
    ]);
  });

  it("refuses more than one YAML document", () => {
    expect(formatted(refuse("version: 1\n---\nversion: 1\nmode: audit\n"))).toEqual([
      ".agent-policy.yml:2:1: the policy file must contain exactly one YAML document; remove the extra '---' document starting here",
    ]);
  });

  it.each([
    ["an empty file", ""],
    ["only whitespace", "  \n\n\t\n"],
    ["only comments", "# version: 1\n"],
    ["an empty document", "---\n...\n"],
  ])("says the file is empty for %s", (_, text) => {
    expect(formatted(refuse(text))).toEqual(['.agent-policy.yml:1:1: the policy file is empty; it must contain at least "version: 1"']);
  });

  it.each([
    ["a list", "- version: 1\n", "a list"],
    ["a single value", "version 1\n", "a single value"],
  ])("refuses %s at the top level", (_, text, kind) => {
    expect(formatted(refuse(text))).toEqual([
      `.agent-policy.yml:1:1: the policy must be a mapping of keys such as version and agents, not ${kind}`,
    ]);
  });

  it("refuses __proto__ keys, which would otherwise vanish (an agent by that name would silently not exist)", () => {
    const issues = refuse("version: 1\n__proto__: { mode: audit }\nagents: { __proto__: { owner: '@a', match: { ids: [1] } } }\n");
    expect(formatted(issues)).toEqual([
      '.agent-policy.yml:2:1: the key "__proto__" is not allowed at the top level',
      '.agent-policy.yml:3:11: the key "__proto__" is not allowed in agents',
    ]);
    expect(({} as Record<string, unknown>).mode).toBeUndefined();
  });

  it("treats a << merge key as an unknown key, not a merge", () => {
    expect(formatted(refuse("version: 1\n<<: { mode: audit }\n"))[0]).toMatch(/^\.agent-policy\.yml:2:1: unknown key "<<" at the top level/);
  });

  it("refuses keys that are collections", () => {
    expect(formatted(refuse("version: 1\n? [mode]\n: audit\n"))).toEqual([
      ".agent-policy.yml:2:3: mapping keys must be plain text, not a list or mapping",
    ]);
  });
});
