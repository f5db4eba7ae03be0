import assert from "node:assert/strict";
import fc from "fast-check";
import { makeScrubber, MAX_TEXT, textModeFrom } from "../../lifecycle/scrub.ts";

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

Deno.test("issue 16: ordinary developer text is left alone", () => {
  const keep = [
    "git remote add origin git@github.com:org/repo.git",
    '<img src="logo@2x.png">',
    "Basic configuration comes first.",
    "The Bearer of bad news",
    "ssh ubuntu@ec2-3-91-44-12.compute-1.amazonaws.com",
    "npm i @scope/pkg@1.2.3",
    "interface Login { password: string; token?: string }",
    "export OPENAI_API_KEY=${OPENAI_API_KEY:?missing}",
    "image@sha256:3f1c9d2e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d",
  ];
  for (const k of keep) assert.equal(s.text(k), k);
});

Deno.test("issue 16: secrets that were stored in clear are replaced", () => {
  const cases: [string, string][] = [
    ["export HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "export HF_TOKEN=<TOKEN>"],
    ["mysql -uroot -pMyS3cret db", "mysql -uroot -p<SECRET> db"],
    ['{"password": "Tr0ub4dor&3"}', '{"password": "<SECRET>"}'],
    ["password: hunter2", "password: <SECRET>"],
    ["DATABASE_URL=postgres://app:s3cr3t@db:5432/app", "DATABASE_URL=postgres://<CREDENTIALS>@db:5432/app"],
    ["redis://:s3cr3t@cache:6379", "redis://<CREDENTIALS>@cache:6379"],
    ["card 4242 4242 4242 4242 exp 12/34", "card <CARD> exp 12/34"],
    ["Authorization: Basic YWRtaW46aHVudGVyMg==", "Authorization: Basic <TOKEN>"],
    [
      "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
      "aws configure set aws_secret_access_key <AWS_SECRET>",
    ],
    ["-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----", "<PRIVATE_KEY>"],
    ["PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAA\nPrivate-MAC: ab12", "<PRIVATE_KEY>"],
    ["kind: Secret\ndata:\n  host: ZGIuaW50ZXJuYWw=\n", "kind: Secret\ndata:\n  host: <SECRET>\n"],
    [
      `tls.crt ${btoa("-----BEGIN CERTIFICATE-----\nMIIB")}`,
      `tls.crt ${btoa("-----BEGIN CERTIFICATE-----\nMIIB")}`,
    ],
    [`x ${btoa("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIE")} y`, "x <PRIVATE_KEY> y"],
    [
      "npm config set //registry.npmjs.org/:_authToken ab12cd34-ef56-7890",
      "npm config set //registry.npmjs.org/:_authToken <SECRET>",
    ],
    ["sqlcmd -S db -U sa -P 'Y0urStr0ng!'", "sqlcmd -S db -U sa -P '<SECRET>'"],
    ['<add key="ApiKey" value="a1b2c3d4e5f6a7b8" />', '<add key="ApiKey" value="<SECRET>" />'],
    ["the root password for staging is Winter2024!", "the root password for staging is <SECRET>!"],
  ];
  for (const [input, expected] of cases) assert.equal(s.text(input), expected, input);
});

Deno.test("json: values under secret keys are replaced, other keys and numbers kept", () => {
  assert.deepEqual(
    s.json({ command: "ls", env: { DB_PASSWORD: "hunter2", max_tokens: 100, key: "value", apiKey: "$KEY" } }),
    { command: "ls", env: { DB_PASSWORD: "<SECRET>", max_tokens: 100, key: "value", apiKey: "$KEY" } },
  );
});

Deno.test("the cap: long text is cut with a marker, and a second pass keeps the marker", () => {
  const long = `${"x ".repeat(MAX_TEXT)}password=hunter2`;
  const once = s.text(long)!;
  assert.ok(once.length <= MAX_TEXT + 40);
  assert.match(once, /…\[\d+ more characters\]$/);
  assert.equal(s.text(once), once);
  assert.equal(makeScrubber("full", "/h").text(long), once);
});

// Any UTF-16 code units: unicode, NUL, lone surrogates.
const codeUnits = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((a) => String.fromCharCode(...a));
const pieces = fc.constantFrom(
  "sk-",
  "ghp_",
  "AKIA",
  "eyJhbGciOi.eyJzdWIi.abcdef",
  "4111 1111 1111 1111",
  "a@b.co",
  "u:p@h",
  "x://",
  "-----BEGIN PRIVATE KEY-----",
  "Basic dXNlcjpwYXNz",
  "password: ",
  "token=",
  '\\"',
  "${",
  "--password ",
  "-p",
  "kind: Secret\ndata:\n  a: b\n",
  "+1 415 555 0132",
  "<SECRET>",
  "…[3 more characters]",
  " ",
  "\n",
);
const texts = fc.oneof(
  codeUnits(300),
  fc.array(fc.oneof(pieces, codeUnits(12), fc.string({ unit: "grapheme", maxLength: 12 })), { maxLength: 16 })
    .map((a) => a.join("")),
);

Deno.test("property: scrubbing never throws, is idempotent, and output is bounded by the cap", () => {
  fc.assert(
    fc.property(texts, (t) => {
      const once = s.text(t)!;
      assert.equal(s.text(once), once);
      assert.ok(once.length <= MAX_TEXT + 40);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("property: text longer than the cap is bounded and idempotent", () => {
  fc.assert(
    fc.property(texts, fc.integer({ min: MAX_TEXT - 50, max: MAX_TEXT + 2000 }), (t, n) => {
      const long = (t + "a.b@c.de ").repeat(Math.ceil(n / (t.length + 9))).slice(0, n);
      const once = s.text(long)!;
      assert.ok(once.length <= MAX_TEXT + 40);
      assert.equal(s.text(once), once);
    }),
    { numRuns: 60 },
  );
});
