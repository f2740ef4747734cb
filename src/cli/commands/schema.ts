import { policyJsonSchemaText } from "../../policy/json-schema.js";
import { usageError, type CliCommand } from "../command.js";

export const schemaCommand: CliCommand = {
  name: "schema",
  summary: "print the JSON Schema of .agent-policy.yml",
  usage: "Usage: agent-policy schema\n\nPrints the JSON Schema of .agent-policy.yml (what editors use to validate it).\n",
  async run(args, io) {
    if (args.length > 0) return usageError(io, "schema", `unexpected argument '${args[0]}'`);
    io.stdout(policyJsonSchemaText());
    return 0;
  },
};
