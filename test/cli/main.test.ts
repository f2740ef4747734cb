import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { captureIo, root } from "./io.js";

describe("agent-policy CLI", () => {
  it("lists its commands on --help and exits 0", async () => {
    const io = captureIo();
    expect(await runCli(["--help"], io)).toBe(0);
    expect(io.out).toMatch(/^Usage: agent-policy <command>/);
    expect(io.out).toContain("schema");
  });

  it("lists validate, check, explain and schema, and answers --help on every verb with its usage and exit 0", async () => {
    const io = captureIo();
    await runCli(["--help"], io);
    for (const verb of ["validate", "check", "explain", "schema"]) {
      expect(io.out).toMatch(new RegExp(`^  ${verb} `, "m"));
      const help = captureIo();
      expect(await runCli([verb, "--help"], help)).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: agent-policy ${verb}\\b`));
      expect(help.err).toBe("");
    }
  });

  it("refuses an unknown command with exit 2 and the usage on stderr", async () => {
    const io = captureIo();
    expect(await runCli(["frobnicate"], io)).toBe(2);
    expect(io.err).toContain("unknown command 'frobnicate'");
    expect(io.out).toBe("");
  });

  it("exits 2 without a command", async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.err).toContain("Usage:");
  });

  it("schema prints the committed policy.schema.json; an extra argument is a usage error", async () => {
    const io = captureIo();
    expect(await runCli(["schema"], io)).toBe(0);
    expect(io.out).toBe(readFileSync(new URL("../../policy.schema.json", import.meta.url), "utf8"));
    const bad = captureIo();
    expect(await runCli(["schema", "extra"], bad)).toBe(2);
    expect(bad.err).toContain("unexpected argument 'extra'");
  });

  it("runs as the package's bin from the build", () => {
    const bin = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).bin["agent-policy"];
    const out = execFileSync(process.execPath, [bin, "schema"], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out).$id).toBe("urn:agent-policy:policy-schema:v1");
    const help = spawnSync(process.execPath, [bin, "schema", "--help"], { cwd: root, encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: agent-policy schema");
  });
});
