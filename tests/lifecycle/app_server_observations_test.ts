/** The pure translation of app-server notifications into observations. */
import assert from "node:assert/strict";
import { AppServerTracker } from "../../lifecycle/app_server_observations.ts";
import type { ServerNotification, ThreadInfo, TurnInfo } from "../../codex/app_server/protocol.ts";

const thread = (id: string, extra: Partial<ThreadInfo> = {}): ThreadInfo => ({
  id,
  sessionId: id,
  ephemeral: false,
  preview: "",
  cwd: "/w",
  model: "m",
  status: { type: "idle" },
  source: "cli",
  cliVersion: "0.169.0",
  createdAt: 1,
  path: null,
  ...extra,
});

const turn = (id: string, status: string): TurnInfo => ({
  id,
  status,
  error: null,
  startedAt: null,
  completedAt: null,
  durationMs: 7,
  lastAgentMessage: null,
});

Deno.test("a thread before its first prompt is pending_first_turn; after a turn it is idle", () => {
  const t = new AppServerTracker();
  const [seen] = t.seen(thread("a"), 1, "thread/loaded/list");
  assert.equal(seen?.kind === "session_seen" && seen.turnState, "pending_first_turn");
  t.apply({ method: "turn/started", threadId: "a", turn: turn("u1", "inProgress") }, 2);
  assert.deepEqual(t.thread("a"), { busy: true, turnId: "u1", prompted: true });
  t.apply({ method: "turn/completed", threadId: "a", turn: turn("u1", "completed") }, 3);
  const [again] = t.seen(thread("a"), 4, "thread/loaded/list");
  assert.equal(again?.kind === "session_seen" && again.turnState, "idle");
  const [busy] = new AppServerTracker().seen(
    thread("b", { preview: "x", status: { type: "active", activeFlags: [] } }),
    1,
    "thread/started",
  );
  assert.equal(busy?.kind === "session_seen" && busy.turnState, "working");
});

Deno.test("ephemeral threads give no observation, from thread/started to thread/closed", () => {
  const t = new AppServerTracker();
  assert.deepEqual(t.apply({ method: "thread/started", thread: thread("e", { ephemeral: true }) }, 1), []);
  const about: ServerNotification[] = [
    { method: "thread/status/changed", threadId: "e", status: { type: "active", activeFlags: [] } },
    { method: "turn/completed", threadId: "e", turn: turn("x", "completed") },
    { method: "thread/closed", threadId: "e" },
  ];
  for (const n of about) assert.deepEqual(t.apply(n, 2), [], n.method);
  assert.equal(t.thread("e"), undefined);
  assert.deepEqual(t.threadIds(), []);
});

Deno.test("turn outcomes: completed and interrupted as given, failed and unknown statuses as failed", () => {
  const t = new AppServerTracker();
  const outcome = (status: string) => {
    const [o] = t.apply({ method: "turn/completed", threadId: "a", turn: turn("u", status) }, 1);
    return o?.kind === "turn_ended" ? o.outcome : undefined;
  };
  assert.deepEqual(["completed", "interrupted", "failed", "somethingNew"].map(outcome), [
    "completed",
    "interrupted",
    "failed",
    "failed",
  ]);
});

Deno.test("idle clears the running turn, so delivery starts a new turn rather than steering", () => {
  const t = new AppServerTracker();
  t.apply({ method: "turn/started", threadId: "a", turn: turn("u1", "inProgress") }, 1);
  const [idle] = t.apply({ method: "thread/status/changed", threadId: "a", status: { type: "idle" } }, 2);
  assert.deepEqual(idle, {
    source: "app-server",
    at: 2,
    threadId: "a",
    kind: "activity",
    state: "idle",
    flags: [],
  });
  assert.deepEqual(t.thread("a"), { busy: false, turnId: null, prompted: true });
  const unloading = t.apply(
    { method: "thread/status/changed", threadId: "a", status: { type: "notLoaded" } },
    3,
  );
  assert.deepEqual(unloading, [], "notLoaded precedes thread/closed and says nothing itself");
  const [closed] = t.apply({ method: "thread/closed", threadId: "a" }, 3);
  assert.equal(closed?.kind, "offline");
  assert.equal(t.thread("a"), undefined);
  const up = t.transport("down", "/s.sock", 4, "closed (code 1006)");
  assert.deepEqual(up, {
    source: "app-server",
    at: 4,
    kind: "transport",
    state: "down",
    socketPath: "/s.sock",
    detail: "closed (code 1006)",
  });
});
