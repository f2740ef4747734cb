import { test } from "vitest";
import { parseDocument, LineCounter, visit, isAlias } from "yaml";
import { braceExpand } from "minimatch";
import { z } from "zod";
function t(label: string, f: () => unknown) {
  const s = performance.now();
  let r: unknown;
  try { r = f(); } catch (e) { r = "THROW " + (e as Error).name + ": " + (e as Error).message.slice(0, 100); }
  console.log(label, (performance.now() - s).toFixed(1) + "ms", typeof r === "string" ? r : JSON.stringify(r)?.slice(0, 300));
}
test("p", () => {
  for (const n of [1000, 10000, 100000]) {
    t("deep" + n, () => { const d = parseDocument("a: " + "[".repeat(n) + "]".repeat(n), { prettyErrors: false }); return d.errors.map(e => e.code + " " + e.message.slice(0, 80)); });
    t("deepmap" + n, () => { const d = parseDocument("a: " + "{a: ".repeat(n) + "}".repeat(n), { prettyErrors: false }); return d.errors.map(e => e.code + " " + e.message.slice(0, 80)); });
  }
  const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill("*" + String.fromCharCode(96 + i)).join(",")}]`);
  t("lol-parse", () => { const d = parseDocument(lol.join("\n")); let c = 0; visit(d, { Alias() { c++; } }); return c; });
  t("lol-toJS", () => { const d = parseDocument(lol.join("\n")); return d.toJS({ maxAliasCount: 0 }); });
  t("multi", () => { const lc = new LineCounter(); const d = parseDocument("a: 1\n---\nb: 2\n", { lineCounter: lc, prettyErrors: false }); return d.errors.map(e => [e.code, e.message, e.pos, lc.linePos(e.pos[0])]); });
  t("dup", () => { const d = parseDocument("a: 1\nb: 2\na: 3\n", { prettyErrors: false }); return d.errors.map(e => [e.code, e.message, e.pos]); });
  t("syntax", () => { const d = parseDocument("a: [1, 2\nb: c: d\n", { prettyErrors: false }); return d.errors.map(e => [e.code, e.message, e.pos]); });
  t("tab", () => { const d = parseDocument("a:\n\tb: 1\n", { prettyErrors: false }); return d.errors.map(e => [e.code, e.message, e.pos]); });
  t("tag", () => { const d = parseDocument("a: !foo bar\nb: !!timestamp 2020-01-01\nc: !!binary aGVsbG8=\n", { prettyErrors: false }); return [d.errors.map(e => [e.code, e.message]), d.warnings.map(e => [e.code, e.message]), d.toJS()]; });
  t("merge", () => { const d = parseDocument("x: &x {a: 1}\ny:\n  <<: *x\n", { prettyErrors: false }); return d.toJS(); });
  t("empty", () => { const d = parseDocument("# c\n", { prettyErrors: false }); return [d.contents, d.errors.length]; });
  t("big", () => { const src = "a: [" + "1,".repeat(120000) + "1]"; const d = parseDocument(src); let c = 0; visit(d, () => { c++; }); return c; });
  t("bigblock", () => { const src = "a:\n" + "  - x\n".repeat(40000); const d = parseDocument(src); let c = 0; visit(d, () => { c++; }); return c; });
  t("brace", () => braceExpand("{a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z}/".repeat(4), { braceExpandMax: 65 }).length);
  t("brace-range", () => braceExpand("{1..100000}/{1..100000}/{a..z}", { braceExpandMax: 65 }).length);
  const s = z.strictObject({ a: z.strictObject({ b: z.string(), c: z.number().min(3) }), r: z.record(z.string().regex(/^[a-z]+$/), z.number()), v: z.literal(1), m: z.enum(["x", "y"]), d: z.iso.date() });
  t("zod", () => s.safeParse({ a: { c: 1, zz: 2 }, r: { AB: 1, ok: "x" }, v: 2, m: "q", d: "2026-02-30" }, { reportInput: true, error: (iss) => { return "MAP[" + iss.code + " path=" + JSON.stringify((iss as any).path) + "]"; } }).error?.issues);
});
