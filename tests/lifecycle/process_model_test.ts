import assert from "node:assert/strict";
import type { Observation } from "../../lifecycle/model.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { observeHook, observeNotify } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { isEphemeralThread, isTitleThreadNotify } from "../../lifecycle/internal_threads.ts";
import { isCompactionOutsideTurn } from "../../lifecycle/compaction.ts";
import {
  isAppServerCmdline,
  isDaemonPid,
  processModelOf,
  sharedPids,
} from "../../lifecycle/process_model.ts";
import { contentKey } from "../../lifecycle/store/occurrence.ts";
import type { HookPayload } from "../../codex/payloads.ts";

const TITLE = "Generate a concise, single-line task title of at most 36 characters.\n\nUser prompt:\nhi";
let clock = Date.parse("2026-12-01T00:00:00Z");
const ctx = (pid: number, mode: "full" | "none" = "full") => ({
  now: () => new Date(clock += 1000),
  scrubber: makeScrubber(mode, "/home/u"),
  pid,
  hintThreshold: 0,
});
const notify = (thread: string, turn: string, inputs: string[], pid = 7, mode: "full" | "none" = "full") =>
  observeNotify({
    type: "agent-turn-complete",
    "thread-id": thread,
    "turn-id": turn,
    client: "codex-tui",
    "input-messages": inputs,
    "last-assistant-message": '{"title":"T"}',
  } as never, ctx(pid, mode));
const hook = (p: Record<string, unknown>, pid = 7): Observation =>
  observeHook({ cwd: "/w", transcript_path: null, ...p } as unknown as HookPayload, ctx(pid));

Deno.test("the predicates: title notify, ephemeral thread, compaction outside a turn, app-server argv", () => {
  assert.equal(isTitleThreadNotify({ "input-messages": [TITLE] }), true);
  assert.equal(isTitleThreadNotify({ "input-messages": ["hi", TITLE] }), false, "a real thread lists all");
  assert.equal(isTitleThreadNotify({ "input-messages": ["hi"] }), false);
  assert.equal(isEphemeralThread({ id: "t", ephemeral: true }), true);
  assert.equal(isEphemeralThread({ id: "t", ephemeral: false }), false);
  assert.equal(isEphemeralThread(null), false);
  assert.equal(isCompactionOutsideTurn("PreCompact", { trigger: "manual" }), true);
  assert.equal(isCompactionOutsideTurn("PreCompact", { trigger: "auto" }), false);
  assert.equal(isCompactionOutsideTurn("PreModelRequest", { kind: "foreground_compaction" }), true);
  assert.equal(isCompactionOutsideTurn("PreModelRequest", { kind: "sampling" }), false);
  assert.equal(isCompactionOutsideTurn("Stop", { trigger: "manual" }), false);
  assert.equal(isAppServerCmdline("/x/codex\0app-server\0--listen\0unix://\0"), true);
  assert.equal(isAppServerCmdline("/x/codex\0resume\0app-server-ish\0"), false);
  assert.equal(isDaemonPid(5, (p) => p === "/proc/5/cmdline" ? "codex\0app-server\0" : undefined), true);
  assert.equal(isDaemonPid(6, () => undefined), undefined);
  assert.equal(processModelOf({ pid: 9 }, sharedPids([{ pid: 9 }, { pid: 9 }, { pid: 3 }])), "daemon");
  assert.equal(
    processModelOf({ pid: 3 }, sharedPids([{ pid: 9 }, { pid: 9 }, { pid: 3 }])),
    "process-per-session",
  );
  assert.equal(processModelOf({ pid: 9 }, new Set([9]), () => false), "process-per-session", "argv wins");
  assert.equal(contentKey("abc#3"), "abc");
});

Deno.test("a title-thread notify is journaled attached to nothing, even with text mode none", () => {
  const store = Store.memory();
  for (const mode of ["full", "none"] as const) {
    store.record(notify(`title-${mode}`, "tt", [TITLE], 7, mode));
  }
  assert.deepEqual(store.sessions(), []);
  assert.equal(store.journal().length, 2);
});

Deno.test("notify-only turns (Codex before 0.124) still record the turn; a known thread's notify counts", () => {
  const store = Store.memory();
  store.record(notify("old", "t1", ["hello"]));
  assert.equal(store.turns("old")[0]!.outcome, "completed");
  store.record(hook({ session_id: "s", hook_event_name: "SessionStart", source: "startup" }));
  store.record(notify("s", "t1", [TITLE]));
  assert.equal(store.turns("s").length, 1, "a session's own notify is never dropped");
});

Deno.test("identical payloads: back to back is a re-delivery, after another event a new occurrence", () => {
  const store = Store.memory();
  // Each delivery observed at its own time, as hooks do (identical payloads, identical pid).
  const end = () => hook({ session_id: "s", hook_event_name: "SessionEnd", reason: "other" });
  const start = () => hook({ session_id: "s", hook_event_name: "SessionStart", source: "resume" });
  for (const o of [start, start, end, end, start, end]) store.record(o());
  const j = store.journal();
  assert.deepEqual(j.map((o) => o.event), ["SessionStart", "SessionEnd", "SessionStart", "SessionEnd"]);
  assert.deepEqual(j.map((o) => o.key.includes("#")), [false, false, true, true]);
  assert.equal(store.session("s")!.status, "offline");
  const fresh = Store.memory();
  fresh.replay(j);
  assert.deepEqual(fresh.dump(), store.dump());
  store.replay(j); // the journal applied to its own store again
  assert.equal(store.journal().length, 4);
});

Deno.test("a resumed session is checked against its latest process, and a dead daemon ends all its sessions", () => {
  const store = Store.memory();
  store.record(hook({ session_id: "a", hook_event_name: "SessionStart", source: "startup" }, 100));
  store.record(hook({ session_id: "a", hook_event_name: "SessionEnd", reason: "other" }, 100));
  const resumedAt = new Date(clock + 1000).toISOString();
  store.record(hook({ session_id: "a", hook_event_name: "SessionStart", source: "resume" }, 200));
  const seen: string[] = [];
  store.maintain({
    now: resumedAt,
    staleBusyMs: Infinity,
    alive: (pid, since) => (seen.push(`${pid}@${since}`), pid === 200),
  });
  assert.equal(store.session("a")!.status, "online");
  assert.deepEqual(seen, [`200@${resumedAt}`]);
  // Two sessions in one daemon (pid 300), one prompt open: the daemon dies.
  store.record(
    hook({ session_id: "b", hook_event_name: "UserPromptSubmit", turn_id: "t", prompt: "x" }, 300),
  );
  store.record(hook({ session_id: "c", hook_event_name: "SessionStart", source: "startup" }, 300));
  store.maintain({
    now: new Date(clock + 5000).toISOString(),
    staleBusyMs: Infinity,
    alive: (p) => p !== 300,
  });
  for (const id of ["b", "c"]) {
    const s = store.session(id)!;
    assert.deepEqual([s.status, s.turn_state, s.end_reason], ["offline", "idle", "daemon_gone"], id);
  }
  assert.equal(store.turns("b")[0]!.outcome, "abandoned");
});

Deno.test("a lone SessionEnd is recorded quietly: offline, no turn, no contradiction", () => {
  const store = Store.memory();
  store.record(hook({ session_id: "q", hook_event_name: "SessionEnd", reason: "other" }));
  const s = store.session("q")!;
  assert.deepEqual([s.status, s.turn_state, s.turn_count], ["offline", "idle", 0]);
  assert.deepEqual(store.contradictions("q"), []);
});
