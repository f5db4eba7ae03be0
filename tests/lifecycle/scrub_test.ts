import assert from "node:assert/strict";
import fc from "fast-check";
import { makeScrubber, textModeFrom } from "../../lifecycle/scrub.ts";

const s = makeScrubber("scrubbed", "/home/ann");

Deno.test("secrets and personal data are replaced", () => {
  const cases: [string, string][] = [
    ["write to ann.lee+x@example.co.uk now", "write to <EMAIL> now"],
    ["key sk-abcdefghijklmnopqrstuvwx", "key <TOKEN>"],
    ["key sk-proj-Abc_def-ghijklmnopqrstuv", "key <TOKEN>"],
    ["ghp_0123456789abcdefghijABCDEFGHIJ and ghs_0123456789abcdefghij", "<TOKEN> and <TOKEN>"],
    [
      "gho_0123456789abcdefghij ghu_0123456789abcdefghij ntk_0123456789abcdefghij aa_0123456789abcdefghij",
      "<TOKEN> <TOKEN> <TOKEN> <TOKEN>",
    ],
    ["pk_live0123456789abcdefgh", "<TOKEN>"],
    ["github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "<TOKEN>"],
    ["AKIAIOSFODNN7EXAMPLE", "<AWS_KEY>"],
    [
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "aws_secret_access_key = <AWS_SECRET>",
    ],
    [
      "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "tok <JWT>",
    ],
    ["Authorization: Bearer abc.DEF-123_456~xyz", "Authorization: Bearer <TOKEN>"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----", "<PRIVATE_KEY>"],
    ["git clone https://bob:hunter2@github.com/x/y", "git clone https://<CREDENTIALS>@github.com/x/y"],
    ["call +1 415 555 0132 or (415) 555-0132 or 415-555-0132", "call <PHONE> or <PHONE> or <PHONE>"],
    ["cd /home/ann/proj && cat /home/ann", "cd ~/proj && cat ~"],
    ["/home/anna stays", "/home/anna stays"],
  ];
  for (const [input, expected] of cases) assert.equal(s.text(input), expected, input);
});

Deno.test("timestamps and ids survive", () => {
  const keep = [
    "at 1795239810800 ms",
    "2026-11-21T05:43:04.803998Z",
    "session 01a1fca1-30e0-7603-9eca-71d161d6fa09",
    "call_1 exited with code 3",
    "port 127.0.0.1:7571",
    "version 0.169.0",
    "20261121",
  ];
  for (const k of keep) assert.equal(s.text(k), k);
});

Deno.test("modes: full keeps text, none drops it, unknown falls back to scrubbed", () => {
  assert.equal(makeScrubber("full", "/h").text("a@b.cc"), "a@b.cc");
  assert.equal(makeScrubber("none", "/h").text("a@b.cc"), null);
  assert.equal(makeScrubber("none", "/h").path("/h/x"), "~/x");
  assert.equal(textModeFrom("bogus"), "scrubbed");
  assert.equal(textModeFrom("none"), "none");
  assert.deepEqual(s.json({ a: ["x@y.io", 1, { b: "/home/ann/z" }] }), { a: ["<EMAIL>", 1, { b: "~/z" }] });
});

Deno.test("property: scrubbing is idempotent and never grows text beyond the cap", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (t) => {
      const once = s.text(t)!;
      assert.equal(s.text(once), once);
    }),
    { numRuns: 500 },
  );
});
