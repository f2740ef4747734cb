/**
 * The canonical serialisation that record hashes are computed over: JSON
 * with object members sorted by key (UTF-16 code-unit order, as
 * `Array.prototype.sort` compares), no whitespace, strings and numbers
 * written as `JSON.stringify` writes them, array order kept, members whose
 * value is `undefined` left out. For the values records hold (strings,
 * integers, booleans, null, arrays and objects) this is the JSON
 * Canonicalization Scheme of RFC 8785, so it can be recomputed in any
 * language.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("canonical JSON has no representation for a non-finite number");
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const members = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${members.join(",")}}`;
}
