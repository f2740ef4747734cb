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

  it("checks only for PEM headers on lines over 10,000 characters", () => {
    const pem = TRUE_POSITIVES.find((s) => s.detector === "private-key")!.value;
    const hits = scanAddedLines(patchOf(`${ghp} ${"a".repeat(10_000)} ${pem}`));
    expect(hits.map((h) => h.detector)).toEqual(["private-key"]);
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
