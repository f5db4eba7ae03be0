/** The pure parts of the session view: id prefixes, end reasons, tool calls, durations, repositories. */
import assert from "node:assert/strict";
import { localPath, repoCache, repoOf } from "../../cli/git.ts";
import { endOf, parseDuration, resolveId, shortIds, toolCalls, turnTokens } from "../../cli/sessions.ts";
import { ev } from "./_fixture.ts";

Deno.test("resolveId: exact, unique prefix, ambiguous, none", () => {
  const ids = ["abc123", "abd999", "x"];
  assert.deepEqual(resolveId(ids, "abc"), { ok: true, id: "abc123" });
  assert.deepEqual(resolveId(ids, "x"), { ok: true, id: "x" });
  const amb = resolveId(ids, "ab");
  assert.equal(amb.ok, false);
  assert.match(
    (amb as { error: string }).error,
    /"ab" is ambiguous: 2 sessions start with it \("abc123", "abd999"\)/,
  );
  assert.match((resolveId(ids, "q") as { error: string }).error, /No session id starts with "q"/);
  assert.equal(resolveId(ids, "").ok, false);
});

Deno.test("shortIds: each prefix is unique and at least 8 characters", () => {
  const ids = ["0199aaaa-1111", "0199aaaa-2222", "77777777777"];
  const s = shortIds(ids);
  assert.deepEqual([...s.values()], ["0199aaaa-1", "0199aaaa-2", "77777777"]);
  for (const [id, p] of s) assert.deepEqual(ids.filter((i) => i.startsWith(p)), [id]);
});

Deno.test("endOf: Codex's 'other' at SessionEnd is a clean exit; lifeline's own reasons stay", () => {
  assert.equal(endOf({ status: "offline", end_reason: "other" }), "exit");
  assert.equal(endOf({ status: "offline", end_reason: "process_gone" }), "process_gone");
  assert.equal(endOf({ status: "offline", end_reason: "clear" }), "clear");
  assert.equal(endOf({ status: "online", end_reason: null }), null);
});

Deno.test("toolCalls: ran, running in the open turn, blocked when its turn ended without PostToolUse", () => {
  const pre = (id: string, s: number, turn: string) =>
    ev(
      "s",
      "PreToolUse",
      { tool_name: "Bash", tool_use_id: id, tool_input: { command: ["git", "push"] } },
      s,
      turn,
    );
  const calls = toolCalls([
    pre("a", 1, "t1"),
    ev("s", "PostToolUse", { tool_name: "Bash", tool_use_id: "a" }, 2, "t1"),
    pre("b", 3, "t1"),
    pre("c", 4, "t2"),
  ], "t2");
  assert.deepEqual(calls.map((c) => [c.tool_use_id, c.state, c.command]), [
    ["a", "ran", "git push"],
    ["b", "blocked", "git push"],
    ["c", "running", "git push"],
  ]);
});

Deno.test("parseDuration", () => {
  assert.equal(parseDuration("90"), 90_000);
  assert.equal(parseDuration("15m"), 900_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("7d"), 604_800_000);
  assert.equal(parseDuration("soon"), undefined);
});

Deno.test("repoOf: HEAD of the enclosing repository, of a worktree's git dir, or a detached commit", () => {
  const files: Record<string, string> = {
    "/r/.git/HEAD": "ref: refs/heads/main\n",
    "/w/.git": "gitdir: /r/.git/worktrees/w\n",
    "/r/.git/worktrees/w/HEAD": "ref: refs/heads/h-cli\n",
    "/d/.git/HEAD": "0123456789abcdef0123456789abcdef01234567\n",
  };
  const read = (p: string) => files[p];
  assert.deepEqual(repoOf("/r/src/deep", read), { repo: "r", branch: "main" });
  assert.deepEqual(repoOf("/w", read), { repo: "w", branch: "h-cli" });
  assert.deepEqual(repoOf("/d", read), { repo: "d", branch: "0123456" });
  assert.equal(repoOf("/elsewhere", read), undefined);
});

Deno.test("turnTokens: a number, a total, or the sum of numeric parts; nothing when absent", () => {
  assert.equal(turnTokens({ tokens: 120 }), 120);
  assert.equal(turnTokens({ tokens: { input: 100, output: 20, total: 130 } }), 130);
  assert.equal(turnTokens({ tokens: { input_tokens: 100, output_tokens: 20 } }), 120);
  assert.equal(turnTokens({}), null);
  assert.equal(turnTokens({ tokens: { model: "x" } }), null);
});

Deno.test("repoCache: a scrubbed ~/ cwd is under the home folder; a relative one has no repository", () => {
  const files: Record<string, string> = { "/home/u/p/.git/HEAD": "ref: refs/heads/dev\n" };
  const read = (p: string) => files[p];
  assert.deepEqual(repoCache("/home/u", read)("~/p/src"), { repo: "p", branch: "dev" });
  assert.equal(repoCache(undefined, read)("~/p"), undefined);
  assert.equal(repoCache("/home/u", read)("p"), undefined);
  assert.equal(localPath("/abs", undefined), "/abs");
});
