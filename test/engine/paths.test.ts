import { describe, expect, it } from "vitest";
import { collectChangedPaths, normalizeChangedPath } from "../../src/engine/paths.js";
import { file, renamed } from "./fixtures.js";

describe("normalizeChangedPath", () => {
  it.each([
    ["src/app.ts", "src/app.ts", undefined],
    [".github/workflows/ci.yml", ".github/workflows/ci.yml", undefined],
    [".ENV", ".ENV", undefined],
    ["src/../.env", ".env", "'..' segment"],
    ["../../.env", ".env", "'..' segment"],
    ["./.agent-policy.yml", ".agent-policy.yml", "'.' segment"],
    ["/etc/passwd", "etc/passwd", "starts with '/'"],
    ["src//x.ts", "src/x.ts", "empty segment"],
    ["src/", "src", "empty segment"],
    [".github\\workflows\\ci.yml", ".github/workflows/ci.yml", "backslash"],
    [".env\u0000.txt", ".env.txt", "control character"],
    ["a\nb", "ab", "control character"],
    ["", "", "empty"],
    ["..", "", "'..' segment"],
    ["src/..foo/x", "src/..foo/x", undefined],
  ])("%j → %j", (input, path, unsafe) => {
    const result = normalizeChangedPath(input);
    expect(result.path).toBe(path);
    if (unsafe === undefined) expect(result.unsafe).toBeUndefined();
    else expect(result.unsafe).toContain(unsafe);
  });
});

describe("collectChangedPaths", () => {
  it("lists both sides of a rename, each knowing the other", () => {
    expect(collectChangedPaths([renamed(".env", "notes.txt")])).toEqual([
      { path: "notes.txt", raw: "notes.txt", side: "current", status: "renamed", otherPath: ".env" },
      { path: ".env", raw: ".env", side: "previous", status: "renamed", otherPath: "notes.txt" },
    ]);
  });

  it("lists one side for an ordinary change and marks unsafe paths", () => {
    expect(collectChangedPaths([file("src/../.env")])).toEqual([
      { path: ".env", raw: "src/../.env", side: "current", status: "modified", unsafe: "it contains a '..' segment" },
    ]);
  });
});
