import type { z } from "zod";

/**
 * zod error map for every check the schema does not word itself. It returns a
 * predicate ("must be a list, not a string") that the parser prefixes with the
 * key path; messages written in schema.ts take precedence over it.
 */
export const describeSchemaProblem: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === null) return `is empty but must be ${typeName(issue.expected)}`;
      if (issue.input === undefined) return `is missing; it must be ${typeName(issue.expected)}`;
      return `must be ${typeName(issue.expected)}, not ${kindOf(issue.input)}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])}, not ${show(issue.input)}`
        : `must be one of ${issue.values.map(show).join(", ")}, not ${show(issue.input)}`;
    case "too_small":
      return bound("at least", issue.origin, issue.minimum, issue.inclusive !== false, "greater than");
    case "too_big":
      return bound("at most", issue.origin, issue.maximum, issue.inclusive !== false, "less than");
    case "invalid_format":
      if (issue.format === "email") return "must be an e-mail address";
      if (issue.format === "regex" && issue.pattern) return `must match the pattern ${issue.pattern}`;
      return `must be a valid ${issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `has unknown keys ${issue.keys.map(show).join(", ")}`;
    case "invalid_key":
      return "has an invalid key";
    case "invalid_union":
      return "does not have any of the accepted forms";
    default:
      return "is invalid";
  }
};

function bound(relation: string, origin: string, limit: number | bigint, inclusive: boolean, strict: string): string {
  if (origin === "string") return Number(limit) === 1 && relation === "at least" ? "must not be empty" : `must be ${relation} ${limit} characters long`;
  if (origin === "array" || origin === "set") {
    return `must list ${relation} ${limit} ${Number(limit) === 1 ? "entry" : "entries"}`;
  }
  return inclusive ? `must be ${relation} ${limit}` : `must be ${strict} ${limit}`;
}

function typeName(expected: string): string {
  switch (expected) {
    case "string":
      return "text";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping (key: value)";
    default:
      return expected;
  }
}

/** How a YAML value reads to the person who wrote it. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  switch (typeof value) {
    case "string":
      return `the text ${show(value)}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `${value}`;
    case "object":
      return value === null ? "empty" : "a mapping";
    default:
      return typeof value;
  }
}

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
