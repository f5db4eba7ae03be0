/** The layering rules of `tools/check_layers.ts` on hand-made import graphs (no deno info). */
import assert from "node:assert/strict";
import { type Edge, formatViolation, statementLine, violations } from "../../tools/check_layers.ts";

const text: Record<string, string> = {
  "hooks/stop.ts": "import './_runner.ts';\nif (import.meta.main) {}\n",
};
const read = (rel: string) => text[rel] ?? "";
const edge = (from: string, to: string, line = 1): Edge => ({ from, to, line });
const check = (es: Edge[]) =>
  violations(es, [...new Set(["hooks/stop.ts", ...es.map((e) => e.from)])], read).map(formatViolation);

Deno.test("R1: down and sideways within a folder pass; up and across one rank fail; tests may use bench/ and tools/", () => {
  assert.deepEqual(
    check([
      edge("hub/a.ts", "lifecycle/b.ts"),
      edge("hub/app_server/a.ts", "hub/_c.ts"),
      edge("tests/x_test.ts", "tools/check_layers.ts"),
      edge("tests/y_test.ts", "bench/mod.ts"),
      edge("tests/z_test.ts", "mod.ts"),
      edge("mod.ts", "codex/mod.ts"),
    ]),
    [],
  );
  assert.deepEqual(check([edge("bench/a.ts", "tools/b.ts", 3)]), [
    "bench/a.ts:3: R1 imports tools/b.ts: bench/ (L7) may not import tools/ (L7)",
  ]);
  assert.deepEqual(check([edge("mod.ts", "hub/mod.ts"), edge("hub/a.ts", "mod.ts")]), [
    "hub/a.ts:1: R1 imports mod.ts: only bench/, tools/ and tests/ import the root mod.ts",
    "mod.ts:1: R1 imports hub/mod.ts: the root mod.ts imports codex/ and lifecycle/ only",
  ]);
});

Deno.test("R2 and R3 are reported on their own; an upward private import breaks R1 and R2", () => {
  assert.deepEqual(check([edge("lifecycle/s.ts", "hooks/_runner.ts", 18)]), [
    "lifecycle/s.ts:18: R1 imports hooks/_runner.ts: lifecycle/ (L1) may not import hooks/ (L3)",
    "lifecycle/s.ts:18: R2 imports hooks/_runner.ts: another folder's private file",
  ]);
  assert.deepEqual(check([edge("bench/a.ts", "tests/harness/x.ts")]), [
    "bench/a.ts:1: R3 imports tests/harness/x.ts: nothing outside tests/ imports tests/",
  ]);
});

Deno.test("R4: a package anywhere in a hook entry's graph, not elsewhere; node: built-ins are fine", () => {
  const es = [
    edge("hooks/stop.ts", "hooks/_runner.ts"),
    edge("hooks/_runner.ts", "lifecycle/store.ts", 4),
    edge("lifecycle/store.ts", "node:sqlite"),
    edge("lifecycle/store.ts", "npm:smol-toml@1.9.1", 7),
    edge("installer/plan.ts", "npm:@decimalturn/toml-patch@3.3.0"),
  ];
  assert.deepEqual(check(es), [
    "lifecycle/store.ts:7: R4 imports npm:smol-toml@1.9.1: a package in the import graph of hooks/stop.ts",
  ]);
});

Deno.test("R4 refuses to pass vacuously when hooks/ has no entry", () => {
  assert.throws(
    () => violations([], ["hooks/_runner.ts", "hooks/handlers.ts"], () => "export const x = 1;"),
    /no hook entry in hooks\//,
  );
});

Deno.test("the line of a multi-line import is the line its statement starts on", () => {
  const src = '// x\nimport {\n  a,\n  b,\n} from "./y.ts";\nconst m = await import(\n  "./z.ts"\n);\n';
  assert.equal(statementLine(src, 5), 2);
  assert.equal(statementLine(src, 7), 6);
  assert.equal(statementLine(src, 1), 1, "no statement above: the specifier's own line");
});
