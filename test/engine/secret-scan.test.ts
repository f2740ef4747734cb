import { describe, expect, it } from "vitest";
import { addedLines } from "../../src/engine/secrets/added-lines.js";
import { DETECTORS } from "../../src/engine/secrets/detectors.js";
import { shannonEntropy } from "../../src/engine/secrets/entropy.js";
import { maskSecret } from "../../src/engine/secrets/mask.js";
import { MAX_HITS_PER_FILE, scanAddedLines } from "../../src/engine/secrets/scan.js";
import { FALSE_POSITIVES, randomGenerator, TRUE_POSITIVES } from "./secret-samples.js";
import { cpuMs } from "../support/cpu-time.js";

const patchOf = (...added: string[]) => [`@@ -0,0 +1,${added.length} @@`, ...added.map((l) => `+${l}`)].join("\n");

describe("scanAddedLines: true positives", () => {
  it.each(TRUE_POSITIVES.map((s) => [s.name, s] as const))("%s", (_name, s) => {
    const hits = scanAddedLines(patchOf("const unrelated = 1;", s.line));
    expect(hits).toEqual([{ line: 2, column: s.line.indexOf(s.value) + 1, kind: s.kind, detector: s.detector, masked: maskSecret(s.value) }]);
  });

  it("covers every detector", () => {
    expect(new Set(TRUE_POSITIVES.map((s) => s.detector))).toEqual(new Set(DETECTORS.map((d) => d.id)));
  });

  it("finds several credentials on one line, in column order", () => {
    const [aws, ghp] = [TRUE_POSITIVES[0]!, TRUE_POSITIVES[3]!];
    const hits = scanAddedLines(patchOf(`${ghp.value} ${aws.value}`));
    expect(hits.map((h) => [h.detector, h.column])).toEqual([
      ["github-token", 1],
      ["aws-access-key-id", ghp.value.length + 2],
    ]);
  });
});

describe("scanAddedLines: false positives", () => {
  it.each(FALSE_POSITIVES)("%s", (_name, line) => {
    expect(scanAddedLines(patchOf(line))).toEqual([]);
  });
});

describe("masking", () => {
  it.each(TRUE_POSITIVES.map((s) => [s.name, s.value] as const))("%s: never more than a quarter, at most 4 + 2", (_name, value) => {
    const masked = maskSecret(value);
    const [head = "", tail = ""] = masked.split("…");
    expect(head.length).toBeLessThanOrEqual(4);
    expect(tail.length).toBeLessThanOrEqual(2);
    expect(head.length + tail.length).toBeLessThanOrEqual(value.length / 4);
    expect(value.startsWith(head) && value.endsWith(tail)).toBe(true);
    expect(masked).not.toContain(value);
  });

  it("shows the prefix and the last two characters", () => {
    expect(maskSecret("ghp_" + "Ab".repeat(17) + "9z")).toBe("ghp_…9z");
    expect(maskSecret("abcdefgh")).toBe("ab…");
    expect(maskSecret("abc")).toBe("…");
  });
});

describe("hunk parsing", () => {
  const [aws, ghp, npm] = [TRUE_POSITIVES[0]!.value, TRUE_POSITIVES[3]!.value, TRUE_POSITIVES.find((s) => s.detector === "npm-token")!.value];
  const patch = [
    "@@ -1,3 +1,4 @@",
    " line one",
    "-old two",
    "+new two",
    `+${ghp}`,
    " line three",
    "@@ -20,4 +21,3 @@ function context() {",
    " context",
    "-gone",
    `-removed = "${aws}"`,
    `+x = ${npm}`,
    "\\ No newline at end of file",
  ].join("\n");

  it("numbers new-file lines across hunks, skipping removed lines", () => {
    expect([...addedLines(patch)]).toEqual([
      { line: 2, text: "new two" },
      { line: 3, text: ghp },
      { line: 22, text: `x = ${npm}` },
    ]);
    expect(scanAddedLines(patch).map((h) => [h.detector, h.line, h.column])).toEqual([
      ["github-token", 3, 1],
      ["npm-token", 22, 5],
    ]);
  });

  it("ignores removed and context lines, and text before the first hunk", () => {
    expect(scanAddedLines(`+${ghp}\n@@ -1,2 +1,1 @@\n-${ghp}\n ${aws}`)).toEqual([]);
  });

  it("strips a CRLF line ending", () => {
    expect([...addedLines(`@@ -0,0 +5 @@\n+${ghp}\r\n`)]).toEqual([{ line: 5, text: ghp }]);
  });
});

describe("limits", () => {
  const ghp = TRUE_POSITIVES[3]!.value;

  it(`reports at most ${MAX_HITS_PER_FILE} hits per file, or the limit given`, () => {
    const patch = patchOf(...Array.from({ length: 30 }, () => ghp));
    expect(scanAddedLines(patch)).toHaveLength(MAX_HITS_PER_FILE);
    expect(scanAddedLines(patch, 3).map((h) => h.line)).toEqual([1, 2, 3]);
    expect(scanAddedLines(patch, 0)).toEqual([]);
  });

  it("scans lines of any length with every detector: a credential past column 10,000 is found", () => {
    const pem = TRUE_POSITIVES.find((s) => s.detector === "private-key")!.value;
    const filler = "a".repeat(10_000);
    const hits = scanAddedLines(patchOf("short", `${filler} ${ghp} ${"b".repeat(50_000)} ${pem}`));
    expect(hits.map((h) => [h.detector, h.line, h.column])).toEqual([
      ["github-token", 2, 10_002],
      ["private-key", 2, 10_002 + ghp.length + 50_002],
    ]);
  });

  it.each(TRUE_POSITIVES.map((s) => [s.name, s] as const))("finds %s at the end of a megabyte line", (_name, s) => {
    const line = `${"x = 1; ".repeat(150_000)}${s.line}`;
    expect(scanAddedLines(patchOf(line)).map((h) => [h.detector, h.column])).toEqual([[s.detector, 1_050_000 + s.line.indexOf(s.value) + 1]]);
  });

  it("keeps the first hits of a line of credentials in column order, at bounded cost", () => {
    const aws = TRUE_POSITIVES[0]!.value;
    const line = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? ghp : aws)).join(" ");
    let hits: ReturnType<typeof scanAddedLines> = [];
    expect(cpuMs(() => (hits = scanAddedLines(patchOf(line), 5)))).toBeLessThan(1500);
    expect(hits.map((h) => [h.detector, h.column])).toEqual([
      ["github-token", 1],
      ["aws-access-key-id", ghp.length + 2],
      ["github-token", ghp.length + aws.length + 3],
      ["aws-access-key-id", 2 * ghp.length + aws.length + 4],
      ["github-token", 2 * ghp.length + 2 * aws.length + 5],
    ]);
  });

  it("scans a 1 MB patch of random-ish text in well under a second", () => {
    const rand = randomGenerator(7);
    const noise = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.=/ \"";
    const bait = ["AKIA", "ghp_", "eyJ", "sk-", "xoxb-", "glpat-", "AIza", "npm_", "-----BEGIN ", "hooks.slack.com/services/T"];
    const lines: string[] = [];
    for (let size = 0, i = 0; size < 1_000_000; i++) {
      const line = `+${bait[i % bait.length]}${rand(noise, 90)}`;
      lines.push(line);
      size += line.length + 1;
    }
    const patch = `@@ -0,0 +1,${lines.length} @@\n${lines.join("\n")}`;
    expect(cpuMs(() => scanAddedLines(patch))).toBeLessThan(1500);
  });

  it("stays linear on megabyte lines shaped against each detector", () => {
    const mega = 1_000_000;
    const lines = [
      "AKIA".repeat(mega / 4),
      "ghp_" + "a".repeat(mega),
      "github_pat_" + "_".repeat(mega),
      "glpat-" + "a".repeat(mega) + ".",
      '"private_key"' + " ".repeat(mega) + ":",
      "-----BEGIN " + "A".repeat(mega),
      "xoxb-" + "a".repeat(mega) + "_",
      "hooks.slack.com/services/T" + "A".repeat(mega) + "/B",
      "sk_live_" + "a".repeat(mega) + "_",
      "AIza" + "a".repeat(mega),
      "npm_" + "a".repeat(mega),
      "sk-ant-api03-" + "a".repeat(mega),
      "sk-proj-" + "T3BlbkFJ".repeat(mega / 8),
      "sk-" + "a".repeat(20) + "T3BlbkFJ".repeat(mega / 8),
      "eyJ" + "a".repeat(mega / 2) + ".eyJ" + "a".repeat(mega / 2) + ".",
      ("eyJ" + "a".repeat(12) + ".").repeat(mega / 16),
    ];
    expect(cpuMs(() => scanAddedLines(patchOf(...lines)))).toBeLessThan(3000);
  });

  it("stays linear on pathological lines", () => {
    const lines = ["-eyJ".repeat(2_400), "sk-proj-" + "a-".repeat(4_900), "-----BEGIN ".repeat(90_000), "xoxb-1-".repeat(1_400)];
    expect(cpuMs(() => {
      for (let i = 0; i < 20; i++) scanAddedLines(patchOf(...lines));
    })).toBeLessThan(1500);
  });
});

describe("shannonEntropy", () => {
  it("measures bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abab")).toBe(1);
    expect(shannonEntropy("a1B2".repeat(9))).toBe(2);
  });
});
