/**
 * A guard against super-linear scrubbing: every stage gets 1 MiB of the
 * inputs that make backtracking patterns go quadratic. The bound is not a
 * speed target: each run measured about 0.03-0.9 s on a 2-core machine at
 * load 23, and a quadratic stage at 1 MiB takes many minutes (the old e-mail
 * pattern took 11 s on 64 KB), so a generous bound cannot hide one.
 */
import assert from "node:assert/strict";
import { makeScrubber, MAX_JSON_TEXT, MAX_TEXT, SCRUB_STAGES } from "../../lifecycle/scrub.ts";

const MIB = 1 << 20;
const BOUND_MS = 3_000;
const rep = (unit: string) => unit.repeat(Math.ceil(MIB / unit.length)).slice(0, MIB);

const WORST: Record<string, string> = {
  "a.a.a": rep("a."),
  "@@@@": rep("@"),
  "a@a@": rep("a@"),
  "a.b@c": rep("a.b@c"),
  "long base64": rep("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123+/"),
  "long hex": rep("0123456789abcdef"),
  "%-encoded SVG data URI": "data:image/svg+xml," +
    rep("%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%3E"),
  "password=": rep("password="),
  "password: ": rep("password: "),
  '{"token": "': rep('{"token": "'),
  "-----BEGIN": rep("-----BEGIN "),
  "BEGIN PRIVATE KEY without END": rep("-----BEGIN PRIVATE KEY-----\n"),
  "PuTTY header without MAC": rep("PuTTY-User-Key-File-2:"),
  "quotes": rep("\"'`"),
  "nested quotes": rep('{"a":["\'`\\"'),
  "://": rep("a://"),
  "x://u:p": rep("x://u:p"),
  "spaced digits": rep("4 "),
  "digits": rep("1"),
  "eyJ-": rep("eyJ-"),
  "sk-": rep("sk-"),
  "--password": rep("--password "),
  "mysql -p": "mysql " + rep("-pX "),
  "Authorization: ": rep("Authorization: "),
  "Bearer ": rep("Bearer "),
  "Kubernetes Secret data": "kind: Secret\ndata:\n" + rep("  a: b\n"),
  "ssh line of e-mails": "ssh " + rep("a@b.co "),
  "<password>": rep("<password>"),
  "+1 ": rep("+1 "),
  "AKIA companion": "AKIAIOSFODNN7EXAMPLE " + rep("aB3/"),
  "spaces": rep(" "),
  "dashes": rep("-"),
  ":=": rep(":="),
  "unicode, NUL, lone surrogates": rep("é😀\u0000\ud800"),
};

Deno.test("every scrub stage runs in linear time on 1 MiB of worst-case text", () => {
  const slow: string[] = [];
  for (const [input, text] of Object.entries(WORST)) {
    for (const stage of SCRUB_STAGES) {
      const t0 = performance.now();
      const out = stage.run(text);
      const ms = performance.now() - t0;
      assert.equal(typeof out, "string");
      if (ms > BOUND_MS) slow.push(`${stage.name} on ${input}: ${ms.toFixed(0)} ms`);
    }
  }
  assert.deepEqual(slow, []);
});

Deno.test("a scrubbed field is capped whatever its size: 16 MiB is scanned only up to the cap", () => {
  const s = makeScrubber("scrubbed", "/home/ann");
  const out = s.text("a.".repeat(8 * MIB))!;
  assert.ok(out.length <= MAX_TEXT + 40);
  assert.match(out, /…\[\d+ more characters\]$/);
});

Deno.test("a JSON value of a million strings is scrubbed within a budget, the rest dropped and counted", () => {
  const s = makeScrubber("scrubbed", "/home/ann");
  const big = Array.from({ length: 1_000_000 }, (_, i) => `line ${i} a.a.a@b`);
  const out = s.json({ tool_response: big }) as { tool_response: string[] };
  assert.equal(out.tool_response.length, big.length);
  assert.equal(out.tool_response[0], "line 0 a.a.a@b");
  assert.equal(out.tool_response.at(-1), `…[${big.at(-1)!.length} more characters]`);
  const scrubbed = out.tool_response.filter((x) => !x.startsWith("…[")).length;
  assert.ok(scrubbed > 1000 && scrubbed * 32 <= MAX_JSON_TEXT, `${scrubbed} strings scrubbed`);
});
