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
  const closing = t.apply({ method: "thread/closed", threadId: "a" }, 3);
  assert.deepEqual(
    closing.map((o) => o.kind),
    ["turn_started", "offline"],
    "a turn held back is told at close",
  );
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

Deno.test("a manual compaction is no turn: held back, then dropped but for its hook runs", () => {
  const t = new AppServerTracker();
  t.seen(thread("a", { preview: "first" }), 1, "thread/loaded/list");
  const run = (ns: ServerNotification[]) => ns.flatMap((n, i) => t.apply(n, 10 + i));
  const tokens = {
    inputTokens: 1,
    cachedInputTokens: 0,
    outputTokens: 1,
    reasoningOutputTokens: 0,
    totalTokens: 2,
  };
  // The order the 0.169.0 daemon told it in (tests/testdata/recorded/app_server/0.169.0/manual_compaction.jsonl).
  const compaction = run([
    { method: "thread/status/changed", threadId: "a", status: { type: "active", activeFlags: [] } },
    { method: "turn/started", threadId: "a", turn: turn("c1", "inProgress") },
    {
      method: "hook/started",
      threadId: "a",
      turnId: "c1",
      run: {
        id: "r1",
        eventName: "preCompact",
        status: "running",
        sourcePath: null,
        statusMessage: null,
        durationMs: null,
      },
    },
    {
      method: "item/completed",
      threadId: "a",
      turnId: "c1",
      item: { type: "other", id: "x", itemType: "contextCompaction" },
    },
    {
      method: "thread/tokenUsage/updated",
      threadId: "a",
      turnId: "c1",
      total: tokens,
      last: tokens,
      modelContextWindow: null,
    },
    { method: "thread/status/changed", threadId: "a", status: { type: "idle" } },
    { method: "turn/completed", threadId: "a", turn: turn("c1", "completed") },
  ]);
  assert.deepEqual(compaction.map((o) => o.kind), ["activity", "activity", "hook_ran"]);
  const next = run([
    { method: "turn/started", threadId: "a", turn: turn("u2", "inProgress") },
    {
      method: "item/completed",
      threadId: "a",
      turnId: "u2",
      item: { type: "userMessage", id: "m", text: "go" },
    },
    {
      method: "item/completed",
      threadId: "a",
      turnId: "u2",
      item: { type: "other", id: "y", itemType: "contextCompaction" },
    },
    { method: "turn/completed", threadId: "a", turn: turn("u2", "completed") },
  ]);
  assert.deepEqual(
    next.map((o) => o.kind),
    ["turn_started", "turn_ended"],
    "a compaction inside a turn keeps it",
  );
  const bare = run([
    { method: "turn/started", threadId: "a", turn: turn("u3", "inProgress") },
    { method: "turn/completed", threadId: "a", turn: turn("u3", "interrupted") },
  ]);
  assert.deepEqual(bare.map((o) => o.kind), ["turn_started", "turn_ended"], "a turn with no item is a turn");
});

Deno.test("a link that goes down gives up what is held: a turn, but not a compaction", () => {
  const t = new AppServerTracker();
  const tokens = {
    inputTokens: 1,
    cachedInputTokens: 0,
    outputTokens: 1,
    reasoningOutputTokens: 0,
    totalTokens: 2,
  };
  t.apply({ method: "turn/started", threadId: "a", turn: turn("u1", "inProgress") }, 1);
  t.apply({
    method: "thread/tokenUsage/updated",
    threadId: "a",
    turnId: "u1",
    total: tokens,
    last: tokens,
    modelContextWindow: null,
  }, 2);
  t.apply({ method: "turn/started", threadId: "b", turn: turn("c1", "inProgress") }, 3);
  t.apply({
    method: "item/completed",
    threadId: "b",
    turnId: "c1",
    item: { type: "other", id: "x", itemType: "contextCompaction" },
  }, 4);
  assert.deepEqual(t.release().map((o) => [o.kind, "threadId" in o && o.threadId]), [
    ["turn_started", "a"],
    ["tokens", "a"],
  ]);
  assert.deepEqual(t.release(), [], "given up once");
});
