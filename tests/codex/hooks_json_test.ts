import assert from "node:assert/strict";
import fc from "fast-check";
import { matcherError, matcherMatches, parseHooksJson } from "../../codex/mod.ts";

const ok = (hooks: unknown) => JSON.stringify({ hooks });
const cmd = (command = "true") => ({ type: "command", command });

Deno.test("a valid file lists handlers with their positions", () => {
  const r = parseHooksJson(
    ok({ Stop: [{ hooks: [cmd("a"), cmd("b")] }], PreToolUse: [{ matcher: "Bash", hooks: [cmd("c")] }] }),
  );
  assert.equal(r.error, undefined);
  assert.deepEqual(r.handlers.map((h) => [h.event, h.groupIndex, h.handlerIndex, h.handler.command]), [
    ["Stop", 0, 0, "a"],
    ["Stop", 0, 1, "b"],
    ["PreToolUse", 0, 0, "c"],
  ]);
});

Deno.test("a handler without type voids the whole file", () => {
  const r = parseHooksJson(
    ok({ Stop: [{ hooks: [cmd("fine")] }], SessionStart: [{ hooks: [{ command: "x" }] }] }),
    "/h.json",
  );
  assert.equal(r.file, undefined);
  assert.deepEqual(r.handlers, []);
  assert.match(
    r.warnings[0]!,
    /^failed to parse hooks config \/h\.json: field "hooks\.SessionStart\[0\]\.hooks\[0\]\.type" is missing/,
  );
});

Deno.test("an unknown top-level key voids the file; description is allowed", () => {
  assert.equal(parseHooksJson(JSON.stringify({ $schema: "x", hooks: {} })).file, undefined);
  assert.notEqual(parseHooksJson(JSON.stringify({ description: "d", hooks: {} })).file, undefined);
});

Deno.test("a flat entry parses as an empty group: nothing runs", () => {
  const r = parseHooksJson(ok({ Stop: [{ command: "x", timeout_ms: 5000 }] }));
  assert.notEqual(r.file, undefined);
  assert.deepEqual(r.handlers, []);
});

Deno.test("an invalid matcher skips its group only", () => {
  const r = parseHooksJson(
    ok({ PreToolUse: [{ matcher: "(", hooks: [cmd("a")] }, { matcher: "Bash", hooks: [cmd("b")] }] }),
  );
  assert.deepEqual(r.handlers.map((h) => h.handler.command), ["b"]);
  assert.match(r.warnings[0]!, /^invalid matcher "\(" in hooks\.json/);
});

Deno.test("unknown events are ignored; empty commands and prompt hooks are skipped with warnings", () => {
  const r = parseHooksJson(
    ok({
      session_start: [{ hooks: [cmd()] }],
      Stop: [{ hooks: [cmd(" "), { type: "prompt", prompt: "p" }, cmd("z")] }],
    }),
  );
  assert.deepEqual(r.handlers.map((h) => [h.handlerIndex, h.handler.command]), [[2, "z"]]);
  assert.equal(r.warnings.length, 2);
});

Deno.test("invalid JSON is reported with line:col", () => {
  const r = parseHooksJson('{\n  "hooks": {\n    "Stop": [,]\n  }\n}', "/c/hooks.json");
  assert.equal(r.file, undefined);
  assert.match(r.error!.message, /^\/c\/hooks\.json:3:14: /);
});

Deno.test("matchers: exact alternatives, unanchored regex, aliases, ignored for some events", () => {
  assert.ok(matcherMatches("PreToolUse", "Bash", "Bash"));
  assert.ok(!matcherMatches("PreToolUse", "Bash", "BashOutput"));
  assert.ok(matcherMatches("PreToolUse", "Edit|Write", "Write"));
  assert.ok(matcherMatches("PreToolUse", "^Bash", "BashOutput"));
  assert.ok(matcherMatches("PreToolUse", "Edit", "apply_patch"));
  assert.ok(matcherMatches("PreToolUse", "Agent", "spawn_agent"));
  assert.ok(matcherMatches("PostToolUse", "mcp__.*", "mcp__srv__tool"));
  assert.ok(matcherMatches("SessionStart", "startup|resume", "resume"));
  assert.ok(!matcherMatches("SessionStart", "startup", "compact"));
  assert.ok(matcherMatches("Stop", "NeverMatches", undefined));
  assert.ok(matcherMatches("PreToolUse", "*", "x") && matcherMatches("PreToolUse", "", "x"));
  assert.ok(matcherError("(?=x)") !== undefined, "look-ahead is not Rust regex");
});

Deno.test("property: an exact matcher matches exactly its alternatives", () => {
  const word = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), word, (alts, name) => {
      fc.pre(name !== "apply_patch" && name !== "spawn_agent");
      assert.equal(matcherMatches("PreToolUse", alts.join("|"), name), alts.includes(name));
    }),
  );
});
