/**
 * The trust hash, proven against the real Codex 0.169.0: hooks.json and trust
 * entries computed by `codex/` make every hook fire without
 * `--dangerously-bypass-hook-trust`; without them, or with one hash wrong,
 * Codex silently skips exactly those hooks.
 */
import assert from "node:assert/strict";
import { runScript, SCRIPTS } from "../harness/sessions.ts";

const script = (name: string) => SCRIPTS.find((s) => s.name === name)!;
const events = (hooks: Record<string, unknown>[]) => hooks.map((h) => h.hook_event_name);

Deno.test("real codex: trusted hooks all fire, in Codex's order, without any trust bypass", async () => {
  const run = await runScript(script("tool_call"));
  try {
    assert.equal(run.exec.code, 0, run.exec.stderr);
    assert.deepEqual(events(run.hooks), [
      "SessionStart",
      "UserPromptSubmit",
      "PreModelRequest",
      "PostModelRequest",
      "PreToolUse",
      "PostToolUse",
      "PreModelRequest",
      "PostModelRequest",
      "Stop",
      "SessionEnd",
    ]);
    assert.equal(run.notify.length, 1);
    assert.equal(run.notify[0]!["thread-id"], run.hooks[0]!.session_id);
    assert.equal(run.notify[0]!["turn-id"], run.hooks[1]!.turn_id);
    assert.equal(run.hooks[3]!.status, "completed");
  } finally {
    await run.cleanup();
  }
});

Deno.test("real codex: an interrupted turn fires Interrupt and SessionEnd, never Stop or notify", async () => {
  const run = await runScript(script("interrupt"));
  try {
    const ev = events(run.hooks);
    assert.deepEqual(ev.slice(0, 3), ["SessionStart", "UserPromptSubmit", "PreModelRequest"]);
    // Codex runs the cancelled request's hook beside Interrupt's and exits without waiting for it: it
    // lands before or after Interrupt, after SessionEnd, or not at all (each seen under load).
    assert.deepEqual(ev.slice(3).filter((e) => e !== "PostModelRequest"), ["Interrupt", "SessionEnd"]);
    const post = run.hooks.filter((h) => h.hook_event_name === "PostModelRequest");
    assert.ok(post.length <= 1 && post.every((h) => h.status === "cancelled"), JSON.stringify(post));
    assert.equal(run.notify.length, 0);
  } finally {
    await run.cleanup();
  }
});

Deno.test("real codex: without trust entries no hook runs (notify still does)", async () => {
  const run = await runScript(script("plain_answer"), { trustToml: () => "" });
  try {
    assert.equal(run.exec.code, 0, run.exec.stderr);
    assert.deepEqual(run.hooks, []);
    assert.equal(run.notify.length, 1);
  } finally {
    await run.cleanup();
  }
});

Deno.test("real codex: one wrong hash skips exactly that hook", async () => {
  const run = await runScript(script("plain_answer"), {
    trustToml: (t) => t.replace(/(hooks\.json:stop:0:0"\]\ntrusted_hash = "sha256:)[0-9a-f]/, "$1" + "z"),
  });
  try {
    assert.deepEqual(events(run.hooks), [
      "SessionStart",
      "UserPromptSubmit",
      "PreModelRequest",
      "PostModelRequest",
      "SessionEnd",
    ]);
  } finally {
    await run.cleanup();
  }
});
