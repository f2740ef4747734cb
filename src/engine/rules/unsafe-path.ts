import { agentFields, agentLabel } from "../describe.js";
import type { Rule } from "../rule.js";
import type { Finding } from "../types.js";

/** The path as given is shown quoted (it may hold control characters); every other rule judges the normalised form. */
export const unsafePath = {
  id: "unsafe-path",
  describe: "An AI assistant's change lists a path with '..' or '.' segments, a leading '/', backslashes, empty segments or control characters: deny.",
  evaluate({ agents, files }) {
    const unsafe = files.filter((f) => f.unsafe !== undefined);
    return agents.flatMap((agent) =>
      unsafe.map(
        (file): Finding => ({
          ruleId: "unsafe-path",
          verdict: "deny",
          asset: { kind: "path", value: file.raw, ...(file.otherPath !== undefined ? { previousPath: file.otherPath } : {}) },
          ...agentFields(agent),
          message: `${agentLabel(agent)} changed ${JSON.stringify(file.raw)}, an unsafe path (${file.unsafe}); it is also judged as ${JSON.stringify(file.path)}.`,
        }),
      ),
    );
  },
} satisfies Rule;
