/**
 * A property of the app-server link: fold a recorded notification stream
 * through the hub's real bridge (`startAppServerLink` on an in-memory store)
 * and drop the link at random points, each time letting it come back before
 * the daemon says more. Nothing is lost (the sessions, turns, tools, tokens
 * and answers equal the fold without drops) and no drop changes a session's
 * status or turn state. The daemon is the simulator's model
 * (`simulator/daemon_model.ts`) behind an in-memory client, and the
 * bridge's waits are instant, so a run takes milliseconds.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseServerMessage } from "../../codex/app_server/protocol.ts";
import { type AppServerClient, type NotificationEvent, RpcError } from "../../hub/app_server/client.ts";
import { startAppServerLink } from "../../hub/app_server_link.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { sessionReport } from "../../lifecycle/status.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { DaemonModel, type DaemonNotification } from "../../simulator/daemon_model.ts";
import { readStream, type StreamEvent } from "../harness/app_server_recording.ts";

const RUNS = 500;
const VERSIONS = ["0.169.0", "0.171.0"];

function stream(version: string): StreamEvent[] {
  const file = new URL(
    `../testdata/recorded/app_server/${version}/deliver_start_steer.jsonl`,
    import.meta.url,
  );
  return readStream(Deno.readTextFileSync(file), file.pathname);
}

/** An initialized client whose daemon is `model`; `drop()` closes it as a lost socket would. */
function memoryClient(model: DaemonModel) {
  const listeners = new Set<(e: NotificationEvent) => void>();
  let markClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((r) => (markClosed = r));
  let open = true;
  const client: AppServerClient = {
    socketPath: "/memory",
    info: {
      userAgent: "memory/0.169.0",
      codexHome: "/codex",
      platformOs: "linux",
    } as AppServerClient["info"],
    request(method, params) {
      if (!open) return Promise.reject(new Error(`the link is closed ("${method}")`));
      const a = model.answer(method, params as Record<string, never>);
      return "error" in a ? Promise.reject(new RpcError(method, a.error)) : Promise.resolve(a.result);
    },
    onNotification(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    onServerRequest: () => () => {},
    notifications: () => {
      throw new Error("not used by the bridge");
    },
    closed,
    close() {
      open = false;
      markClosed("closed by the bridge");
    },
  };
  return {
    client,
    push(msg: DaemonNotification) {
      const m = parseServerMessage(msg);
      if (m.kind !== "notification" || !open) return;
      for (const l of listeners) l({ notification: m.notification, emittedAtMs: m.emittedAtMs });
    },
    drop() {
      open = false;
      markClosed("dropped by the test");
    },
  };
}

/** What must survive the drops: everything but times and the transport. */
function projection(store: Store) {
  return store.sessions().map((s) => {
    const r = sessionReport(store, s);
    return {
      session_id: r.session_id,
      status: r.status,
      turn_state: r.turn_state,
      end_reason: r.end_reason,
      sources: r.sources,
      turns: r.turns.map((t) => ({
        turn_id: t.turn_id,
        outcome: t.outcome,
        last_assistant_message: t.last_assistant_message,
        tool_invocations: t.tool_invocations,
        tool_failures: t.tool_failures,
        tokens: t.tokens,
      })),
      failures: r.failures.map((f) => [f.tool, f.error_class, f.count]),
      contradictions: r.contradictions.length,
    };
  });
}

/** Folds the stream through the bridge, dropping the link before the notifications at `drops`. */
async function fold(events: StreamEvent[], drops: ReadonlySet<number>) {
  const store = Store.memory();
  const model = new DaemonModel();
  let now = 0;
  let current: ReturnType<typeof memoryClient> | undefined;
  let connects = 0;
  let onConnect: (() => void) | undefined;
  const link = startAppServerLink({
    store,
    socketPath: "/memory",
    scrubber: makeScrubber("scrubbed", "/root"),
    bridge: {
      exists: () => Promise.resolve(true),
      clock: { now: () => now, sleep: () => Promise.resolve() },
      connect: () => {
        current = memoryClient(model);
        connects++;
        onConnect?.();
        return Promise.resolve(current.client);
      },
    },
  });
  const status = () => store.sessions().map((s) => [s.session_id, s.status, s.turn_state]);
  const changedByDrop: unknown[] = [];
  try {
    await link.ready();
    for (const [i, e] of events.entries()) {
      if (drops.has(i)) {
        const before = status();
        const again = new Promise<void>((r) => (onConnect = r));
        const n = connects;
        current!.drop();
        await again;
        assert.equal(connects, n + 1);
        await link.ready();
        const after = status();
        if (JSON.stringify(after) !== JSON.stringify(before)) changedByDrop.push({ at: i, before, after });
      }
      if (e.t === "deliver") {
        // The daemon's answer to whoever started the turn: it knows the running turn from now on.
        if (e.method === "turn/start") model.turns.set(e.threadId, (e.result as { turn: never }).turn);
        continue;
      }
      now = e.emittedAtMs ?? now;
      current!.push(
        model.notify({ method: e.method, params: e.params, ...(e.emittedAtMs ? { emittedAtMs: now } : {}) }),
      );
      const b = model.barrier();
      current!.push(model.notify(b.notification));
      await b.reached;
    }
    return { end: projection(store), changedByDrop, reconnects: connects - 1 };
  } finally {
    await link.stop();
    store.close();
  }
}

for (const version of VERSIONS) {
  Deno.test(`app-server ${version}: random drops of the link lose nothing and change no status`, async () => {
    const events = stream(version);
    const baseline = await fold(events, new Set());
    assert.equal(baseline.reconnects, 0);
    assert.ok(baseline.end.length === 1 && baseline.end[0]!.turns.length === 3, "the stream has its 3 turns");
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: events.length - 1 }), { minLength: 1, maxLength: 10 }),
        async (at) => {
          const run = await fold(events, new Set(at));
          assert.equal(run.reconnects, at.length, "each drop is one reconnect");
          assert.deepEqual(run.changedByDrop, [], "no drop changes a session's status or turn state");
          assert.deepEqual(run.end, baseline.end, "nothing is lost");
        },
      ),
      { numRuns: RUNS },
    );
  });
}
