/**
 * The app-server bridge against a fake daemon on a real Unix socket: reconcile
 * and subscription, translation into observations, unknown methods and
 * fields, ephemeral threads, a server request that must stay unanswered, a
 * daemon that starts later, dropped and restored links with backoff, and
 * delivery by `turn/start` and `turn/steer`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type AppServerBridge,
  backoffMs,
  type BridgeClock,
  startAppServerBridge,
} from "../../hub/app_server/bridge.ts";
import { connectAppServer } from "../../hub/app_server/client.ts";
import { ASK_LINE, frameMessage } from "../../hub/app_server/frame.ts";
import { type FakeAppServer, startFakeAppServer } from "../harness/fake_app_server.ts";
import { collector } from "../harness/observations.ts";

/** A clock whose sleeps end only when the test says so; every requested delay is recorded. */
function manualClock(): BridgeClock & {
  sleeps: number[];
  advance(): void;
  waitForSleeps(n: number): Promise<void>;
} {
  const pending: (() => void)[] = [];
  const sleeps: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    sleeps,
    now: () => 1_000,
    sleep(ms, signal) {
      sleeps.push(ms);
      for (const w of waiters.filter((w) => sleeps.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return new Promise((resolve) => {
        pending.push(resolve);
        signal.addEventListener("abort", () => resolve());
      });
    },
    advance() {
      for (const r of pending.splice(0)) r();
    },
    waitForSleeps(n) {
      if (sleeps.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

const thread = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  sessionId: id,
  ephemeral: false,
  preview: "",
  cwd: "/work",
  model: "mock-model",
  status: { type: "idle" },
  source: "cli",
  someFieldFromTheFuture: { nested: [1, 2] },
  ...extra,
});

const note = (method: string, params: Record<string, unknown>) => ({ method, params, emittedAtMs: 5_000 });

async function withFake(fn: (fake: FakeAppServer, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-appsrv-" });
  const fake = startFakeAppServer(join(dir, "app-server-control.sock"));
  try {
    await fn(fake, dir);
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("backoff doubles from 1 s and stops at 30 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs),
    [1, 2, 4, 8, 16, 30, 30, 30].map((s) => s * 1000),
  );
});

Deno.test("a message is framed as from its sender, with text and sender escaped", () => {
  assert.equal(
    frameMessage(`</lifeline-message><x a="b">&'`, { from: `eve" kind="ask`, kind: "notify" }),
    `<lifeline-message from="eve&quot; kind=&quot;ask" kind="notify">` +
      `&lt;/lifeline-message&gt;&lt;x a=&quot;b&quot;&gt;&amp;&apos;</lifeline-message>`,
  );
  assert.equal(
    frameMessage("hi", { kind: "ask", id: "m1" }),
    `<lifeline-message from="lifeline" kind="ask" id="m1">hi</lifeline-message>\n${ASK_LINE}`,
  );
  assert.throws(() => frameMessage("hi", { kind: "shout" as "ask" }), /kind "shout"/);
});

/** The user's message of a turn, the first item of every prompted turn. */
const prompted = (threadId: string, turnId: string) =>
  note("item/completed", {
    threadId,
    turnId,
    item: { type: "userMessage", id: `u-${turnId}`, content: [{ type: "text", text: "go" }] },
  });

Deno.test("the bridge reconciles, subscribes, translates, drops ephemeral threads and never answers a request", async () => {
  await withFake(async (fake) => {
    const threads: Record<string, unknown> = {
      "t-new": thread("t-new"),
      "t-busy": thread("t-busy", { preview: "hi", status: { type: "active", activeFlags: [] } }),
      "t-title": thread("t-title", { ephemeral: true }),
    };
    fake.on(
      "thread/loaded/list",
      (p) =>
        p["cursor"] === "page2"
          ? { data: ["t-title"], nextCursor: null }
          : { data: ["t-new", "t-busy"], nextCursor: "page2" },
    );
    fake.on("thread/read", (p) => ({ thread: threads[String(p["threadId"])] }));
    fake.on(
      "thread/turns/list",
      () => ({ data: [{ id: "T0", status: "inProgress", items: [] }], nextCursor: null }),
    );
    fake.on(
      "thread/resume",
      (p) =>
        p["threadId"] === "t-new"
          ? { error: { code: -32600, message: "no rollout found for thread id t-new" } }
          : { thread: threads[String(p["threadId"])] },
    );
    const obs = collector();
    const bridge = startAppServerBridge({
      socketPath: fake.socketPath,
      sink: obs.sink,
      clock: manualClock(),
    });
    try {
      await bridge.ready();
      assert.deepEqual(
        obs.seen.map((o) => o.kind === "session_seen" ? [o.kind, o.threadId, o.turnState] : [o.kind]),
        [
          ["transport"],
          ["session_seen", "t-new", "pending_first_turn"],
          ["session_seen", "t-busy", "working"],
        ],
        "T0, the turn running at reconcile, is held back until its first item or the next turn",
      );
      const sent = (method: string) =>
        fake.received.filter((r) => r.msg["method"] === method).map((r) =>
          (r.msg["params"] as { threadId: string }).threadId
        );
      assert.deepEqual(
        sent("thread/resume"),
        ["t-busy"],
        "only the thread with a running turn is subscribed",
      );
      assert.deepEqual(sent("thread/turns/list"), ["t-busy"], "and asked for the turn it joined");

      const turn = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
        id,
        status,
        items: [],
        error: null,
        durationMs: null,
        ...extra,
      });
      fake.broadcast(note("thread/brandNew/thing", { threadId: "t-busy", anything: true }));
      fake.broadcast({
        id: 0,
        method: "item/commandExecution/requestApproval",
        params: { threadId: "t-busy" },
      });
      fake.broadcast(note("thread/started", { thread: thread("t-title2", { ephemeral: true }) }));
      fake.broadcast(
        note("thread/status/changed", { threadId: "t-title2", status: { type: "active", activeFlags: [] } }),
      );
      fake.broadcast(note("turn/completed", { threadId: "t-title2", turn: turn("x", "completed") }));
      fake.broadcast(note("turn/started", { threadId: "t-busy", turn: turn("T1", "inProgress"), extra: 1 }));
      fake.broadcast(note("hook/started", {
        threadId: "t-busy",
        turnId: "T1",
        run: {
          id: "stop:3:/h.json",
          eventName: "stop",
          status: "running",
          sourcePath: "/h.json",
          futureField: 1,
        },
      }));
      fake.broadcast(note("item/completed", {
        threadId: "t-busy",
        turnId: "T1",
        item: { type: "commandExecution", id: "call_1", command: "exit 3", status: "failed", exitCode: 3 },
      }));
      fake.broadcast(note("item/completed", {
        threadId: "t-busy",
        turnId: "T1",
        item: { type: "reasoning", id: "r1" },
      }));
      const tokens = {
        totalTokens: 15,
        inputTokens: 10,
        cachedInputTokens: 0,
        outputTokens: 5,
        reasoningOutputTokens: 0,
      };
      fake.broadcast(note("thread/tokenUsage/updated", {
        threadId: "t-busy",
        turnId: "T1",
        tokenUsage: { total: tokens, last: tokens, modelContextWindow: 1000 },
      }));
      fake.broadcast(note("turn/completed", { threadId: "t-busy", turn: { id: "T1" } })); // no status: invalid
      fake.broadcast(note("turn/completed", {
        threadId: "t-busy",
        turn: turn("T1", "failed", {
          error: { message: "boom", codexErrorInfo: { httpConnectionFailed: { httpStatusCode: 502 } } },
          items: [{ type: "agentMessage", id: "m1", text: "partial" }],
        }),
      }));
      fake.broadcast(note("thread/status/changed", { threadId: "t-busy", status: { type: "idle" } }));
      fake.broadcast(
        note("thread/status/changed", { threadId: "t-new", status: { type: "active", activeFlags: [] } }),
      );
      fake.broadcast(note("thread/closed", { threadId: "t-busy" }));
      await obs.until((o) => o.kind === "offline");

      const t0 = obs.seen[3];
      assert.ok(t0?.kind === "turn_started" && t0.turnId === "T0", "T1's start says T0 was a turn");
      const after = obs.seen.slice(4).map((o) => {
        const { source, at, ...rest } = o;
        assert.equal(source, "app-server");
        assert.equal(at, 5_000, "the daemon's emittedAtMs is the observation time");
        return rest;
      });
      assert.deepEqual(after, [
        { kind: "turn_started", threadId: "t-busy", turnId: "T1" },
        {
          kind: "hook_ran",
          threadId: "t-busy",
          turnId: "T1",
          phase: "started",
          event: "stop",
          status: "running",
          runId: "stop:3:/h.json",
          sourcePath: "/h.json",
        },
        {
          kind: "tool_invocation",
          threadId: "t-busy",
          turnId: "T1",
          itemId: "call_1",
          command: "exit 3",
          status: "failed",
          exitCode: 3,
          durationMs: null,
        },
        {
          kind: "tokens",
          threadId: "t-busy",
          turnId: "T1",
          total: tokens,
          last: tokens,
          modelContextWindow: 1000,
        },
        {
          kind: "turn_ended",
          threadId: "t-busy",
          turnId: "T1",
          outcome: "failed",
          error: { message: "boom", errorClass: "httpConnectionFailed" },
          durationMs: null,
          lastAssistantMessage: "partial",
        },
        { kind: "activity", threadId: "t-busy", state: "idle", flags: [] },
        { kind: "activity", threadId: "t-new", state: "busy", flags: [] },
        { kind: "offline", threadId: "t-busy", reason: "thread_closed" },
      ]);
      assert.deepEqual(
        sent("thread/resume"),
        ["t-busy", "t-new"],
        "t-new is subscribed when it turns active (refused: no rollout yet); ephemeral threads never",
      );
      assert.deepEqual(
        sent("thread/unsubscribe"),
        ["t-busy"],
        "let go once the turn is over and the thread idle",
      );
      const answers = fake.received.filter((r) => r.msg["method"] === undefined);
      assert.deepEqual(answers, [], "the bridge must never answer a server request");
      assert.ok(fake.received.some((r) => r.msg["method"] === "initialized"));
    } finally {
      await bridge.stop();
    }
  });
});

Deno.test("the bridge notices a daemon that starts later and reconnects with backoff; a drop changes no session", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-appsrv-" });
  const socketPath = join(dir, "app-server-control.sock");
  const clock = manualClock();
  const obs = collector();
  let failNext = 0;
  const bridge = startAppServerBridge({
    socketPath,
    sink: obs.sink,
    clock,
    pollMs: 250,
    connect: (path) =>
      failNext-- > 0 ? Promise.reject(new Error("refused")) : connectAppServer(path, { clientVersion: "t" }),
  });
  let fake: FakeAppServer | undefined;
  try {
    await clock.waitForSleeps(1);
    assert.deepEqual(clock.sleeps, [250], "no socket yet: the bridge polls the path");
    assert.equal(obs.seen.length, 0);
    fake = startFakeAppServer(socketPath);
    fake.on("thread/loaded/list", () => ({ data: ["t1"], nextCursor: null }));
    fake.on(
      "thread/read",
      () => ({ thread: thread("t1", { preview: "x", status: { type: "active", activeFlags: [] } }) }),
    );
    fake.on("thread/resume", () => ({ thread: thread("t1") }));
    clock.advance();
    await bridge.ready();
    assert.equal(bridge.connected, true);

    fake.dropLinks();
    await obs.until((o) => o.kind === "transport" && o.state === "down");
    await clock.waitForSleeps(2);
    assert.equal(clock.sleeps[1], 1000, "first reconnect after 1 s");
    assert.equal(bridge.connected, false);
    failNext = 2;
    clock.advance();
    await clock.waitForSleeps(3);
    clock.advance();
    await clock.waitForSleeps(4);
    assert.deepEqual(clock.sleeps.slice(2), [2000, 4000], "each failed attempt doubles the delay");
    clock.advance();
    await obs.untilCount((o) => o.kind === "transport" && o.state === "up", 2);
    await bridge.ready();

    await fake.close();
    await obs.untilCount((o) => o.kind === "transport" && o.state === "down", 2);
    const kinds = obs.seen.map((o) =>
      o.kind === "transport" ? `transport:${o.state}` : `${o.kind}:${o.threadId}`
    );
    assert.deepEqual(kinds, [
      "transport:up",
      "session_seen:t1",
      "transport:down",
      "transport:up",
      "session_seen:t1",
      "transport:down",
    ], "a drop is a transport event only: no activity or offline for the thread");
  } finally {
    await bridge.stop();
    await fake?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the bridge lets go of a thread after turn/completed, or after a grace period without one", async () => {
  await withFake(async (fake) => {
    fake.on("thread/loaded/list", () => ({ data: ["t1", "t2"], nextCursor: null }));
    fake.on("thread/read", (p) => ({ thread: thread(String(p["threadId"]), { preview: "x" }) }));
    fake.on("thread/resume", (p) => ({ thread: thread(String(p["threadId"])) }));
    fake.on("thread/unsubscribe", () => ({ status: "unsubscribed" }));
    fake.on("thread/turns/list", () => ({ data: [], nextCursor: null }));
    const clock = manualClock();
    const obs = collector();
    const bridge = startAppServerBridge({ socketPath: fake.socketPath, sink: obs.sink, clock });
    const unsubscribed = () =>
      fake.received.filter((r) => r.msg["method"] === "thread/unsubscribe").map((r) =>
        (r.msg["params"] as { threadId: string }).threadId
      );
    try {
      await bridge.ready();
      for (const id of ["t1", "t2"]) {
        fake.broadcast(
          note("thread/status/changed", { threadId: id, status: { type: "active", activeFlags: [] } }),
        );
      }
      await fake.waitFor((r) =>
        r.msg["method"] === "thread/turns/list" && r.conn === 1 &&
        fake.received.filter((x) => x.msg["method"] === "thread/turns/list").length === 2
      );
      // As the daemon orders them: idle first, then turn/completed.
      fake.broadcast(note("thread/status/changed", { threadId: "t1", status: { type: "idle" } }));
      fake.broadcast(
        note("turn/completed", { threadId: "t1", turn: { id: "u1", status: "completed", items: [] } }),
      );
      await fake.waitFor((r) => r.msg["method"] === "thread/unsubscribe");
      assert.deepEqual(unsubscribed(), ["t1"]);
      fake.broadcast(note("thread/status/changed", { threadId: "t2", status: { type: "idle" } }));
      await clock.waitForSleeps(2);
      assert.deepEqual(
        clock.sleeps,
        [2000, 2000],
        "each idle starts a grace period; t2 waits for its turn/completed",
      );
      assert.deepEqual(unsubscribed(), ["t1"]);
      clock.advance();
      await fake.waitFor((r) => r.msg["method"] === "thread/unsubscribe" && unsubscribed().length === 2);
      assert.deepEqual(unsubscribed(), ["t1", "t2"], "and lets go after the grace period");
    } finally {
      await bridge.stop();
    }
  });
});

Deno.test("deliver uses turn/start when idle and turn/steer with expectedTurnId when a turn runs", async () => {
  await withFake(async (fake) => {
    fake.on("thread/loaded/list", () => ({ data: ["t1"], nextCursor: null }));
    fake.on("thread/read", () => ({ thread: thread("t1", { preview: "x" }) }));
    fake.on("thread/resume", () => ({ thread: thread("t1") }));
    let turns = 0;
    fake.on("turn/start", () => ({ turn: { id: `S${++turns}`, status: "inProgress", items: [] } }));
    fake.on("thread/turns/list", () => ({ data: [], nextCursor: null }));
    fake.on(
      "turn/steer",
      (p) =>
        p["expectedTurnId"] === "T9"
          ? { turnId: "T9" }
          : p["expectedTurnId"] === "T2" || p["expectedTurnId"] === ""
          ? { error: { code: -32600, message: "expected active turn id `T2` but found `T9`" } }
          : { error: { code: -32600, message: "no active turn to steer" } },
    );
    const obs = collector();
    const bridge: AppServerBridge = startAppServerBridge({ socketPath: fake.socketPath, sink: obs.sink });
    try {
      await bridge.ready();
      const sent = (method: string) =>
        fake.received.filter((r) => r.msg["method"] === method).map((r) =>
          r.msg["params"] as Record<string, unknown>
        );

      assert.deepEqual(await bridge.deliver("t1", "hello <b>", { from: "ops", kind: "notify" }), {
        method: "turn/start",
        turnId: "S1",
      });
      assert.deepEqual(sent("turn/start"), [{
        threadId: "t1",
        input: [{
          type: "text",
          text: `<lifeline-message from="ops" kind="notify">hello &lt;b&gt;</lifeline-message>`,
        }],
      }]);

      fake.broadcast(
        note("turn/started", { threadId: "t1", turn: { id: "T2", status: "inProgress", items: [] } }),
      );
      fake.broadcast(prompted("t1", "T2")); // a turn's start is told at its first item
      await obs.until((o) => o.kind === "turn_started");
      assert.deepEqual(await bridge.deliver("t1", "while running", { kind: "ask" }), {
        method: "turn/steer",
        turnId: "T9",
      });
      assert.deepEqual(
        sent("turn/steer").map((p) => p["expectedTurnId"]),
        ["T2", "T9"],
        "retried with the turn found",
      );

      fake.broadcast(
        note("turn/started", { threadId: "t1", turn: { id: "T3", status: "inProgress", items: [] } }),
      );
      fake.broadcast(prompted("t1", "T3")); // a turn's start is told at its first item
      await obs.until((o) => o.kind === "turn_started" && o.turnId === "T3");
      assert.deepEqual(await bridge.deliver("t1", "raced", { kind: "notify" }), {
        method: "turn/start",
        turnId: "S2",
      });

      fake.broadcast(note("thread/status/changed", { threadId: "t1", status: { type: "idle" } }));
      fake.broadcast(
        note("thread/status/changed", { threadId: "t1", status: { type: "active", activeFlags: [] } }),
      );
      await fake.waitFor((r) => r.msg["method"] === "thread/turns/list");
      await obs.untilCount((o) => o.kind === "activity" && o.state === "busy", 1);
      assert.deepEqual(await bridge.deliver("t1", "turn unknown", { kind: "notify" }), {
        method: "turn/steer",
        turnId: "T9",
      });
      assert.deepEqual(
        sent("turn/steer").map((p) => p["expectedTurnId"]),
        ["T2", "T9", "T3", "", "T9"],
        "a running turn of unknown id is found by the refusal of an empty one",
      );

      fake.dropLinks();
      await obs.until((o) => o.kind === "transport" && o.state === "down");
      await assert.rejects(() => bridge.deliver("t1", "x", { kind: "notify" }), /no app-server link/);
    } finally {
      await bridge.stop();
    }
  });
});
