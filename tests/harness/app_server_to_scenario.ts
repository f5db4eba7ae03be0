/**
 * Converts a recorded app-server stream into simulator scenarios with the
 * app-server steps: the daemon's notifications become `app_server` steps,
 * lifeline's deliveries `message` steps (after an `answer` step with the
 * daemon's recorded answer), and the time between them `advance` steps.
 * Expectations are derived from the stream: a thread seen before its first
 * prompt is `pending_first_turn`, an active status is busy, each
 * `turn/completed` gives the turn's outcome, tools and (for an ask) the
 * answer, `thread/closed` ends the session.
 *
 * Variants of one recording, each a case the simulator must get right:
 * the whole stream; an ask to the idle thread; the link dropped mid-turn
 * and while idle (a notify waits, then goes through the daemon); a daemon
 * that starts after the hub, and a hub that starts after the daemon; and
 * the same stream with lifeline's hooks firing where Codex ran hooks, next
 * to a hooks-only scenario with the same expectations at each hook, so
 * both sources agree wherever hooks see the event.
 *
 * `deno run -A tests/harness/app_server_to_scenario.ts` rewrites
 * `simulator/scenarios/recorded/app_server/`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { itemOf, readStream, type StreamEvent, turnOf } from "./app_server_recording.ts";
import { expect, hookStep, type State } from "./app_server_hooks.ts";

type P = Record<string, unknown>;

/** How a variant changes the stream. */
interface Variant {
  name: string;
  description: string;
  /** Which events to keep (default all). */
  keep?: (e: StreamEvent, i: number) => boolean;
  /** Steps before event `i` (the event is then dropped when `replace` says so). */
  before?: (e: StreamEvent, i: number, s: State) => P[] | undefined;
  replace?: (e: StreamEvent, i: number) => boolean;
  after?: (e: StreamEvent, i: number, s: State) => P[] | undefined;
  hooks?: "both" | "only";
  header?: P;
  /** The variant starts the daemon itself (else it starts first). */
  ownDaemon?: boolean;
  /** No expectation at `thread/started` (the hub does not run yet). */
  quietStart?: boolean;
  /** The delivery kinds to use instead of the recorded ones, by delivery index. */
  kinds?: Record<number, "notify" | "ask">;
  end?: P[];
}

/** The scenario lines of one variant of a recording. */
export function toScenario(events: StreamEvent[], version: string, v: Variant): P[] {
  const started = events.find((e) => e.t === "note" && e.method === "thread/started") as
    | Extract<StreamEvent, { t: "note" }>
    | undefined;
  if (!started) throw new Error("The recording has no thread/started: there is no session to follow");
  const thread = String((started.params.thread as P).id);
  const first = events.find((e) => e.t === "note" && e.emittedAtMs !== undefined) as { emittedAtMs?: number };
  const startMs = (first?.emittedAtMs ?? Date.parse("2026-12-01T17:00:00Z")) - 1000;
  const out: P[] = [{
    lifeline_scenario: 1,
    name: `app_server_${version}_${v.name}`,
    description: `${v.description} Converted from tests/testdata/recorded/app_server/${version}/ by ` +
      `tests/harness/app_server_to_scenario.ts.`,
    profile: version.startsWith("0.171") ? "0.171" : "0.169",
    start: new Date(startMs).toISOString(),
    ...(v.hooks === "only" ? {} : { app_server: true }),
    ...v.header,
  }];
  if (v.hooks !== "only" && !v.ownDaemon) out.push({ step: "daemon", action: "start" });
  const s = state(thread);
  const asks = new Map<string, string>(); // turn → message label
  const tools = new Map<string, { n: number; failed: number }>();
  const said = new Map<string, string>();
  let lastMs: number | undefined;
  let hooked = false;
  for (const [i, e] of events.entries()) {
    if (v.keep && !v.keep(e, i)) continue;
    if (lastMs !== undefined && e.ms - lastMs >= 1000) {
      out.push({ step: "advance", seconds: Math.round((e.ms - lastMs) / 1000) });
    }
    lastMs = e.ms;
    out.push(...(v.before?.(e, i, s) ?? []));
    const replaced = v.replace?.(e, i) === true;
    if (e.t === "deliver") {
      const n = ++s.deliveries;
      const kind = v.kinds?.[n] ?? e.kind;
      if (kind === "ask") asks.set(e.turnId, `m${n}`);
      if (v.hooks !== "only" && !replaced) {
        out.push({ step: "app_server", answer: { method: e.method, result: e.result } });
        out.push({
          step: "message",
          session: thread,
          kind,
          text: e.text,
          from: e.from,
          as: `m${n}`,
          expect: { http: 200, status: "delivered", via: "app-server", method: e.method },
        });
      }
    } else {
      if (v.hooks !== "only" && !replaced) {
        out.push({ step: "app_server", notify: { method: e.method, params: e.params } });
      }
      const turn = turnOf(e);
      const cmd = itemOf(e, "commandExecution");
      if (cmd && turn) {
        const t = tools.get(turn) ?? { n: 0, failed: 0 };
        t.n++;
        if (typeof cmd.exitCode === "number" && cmd.exitCode !== 0) t.failed++;
        tools.set(turn, t);
      }
      const msg = itemOf(e, "agentMessage");
      if (msg && turn) said.set(turn, String(msg.text));
      if (v.hooks) {
        const h = hookStep(e, events, i, s, !hooked);
        if (h.length) hooked = true;
        out.push(...h);
      }
      const quiet = v.quietStart === true && e.method === "thread/started";
      if (v.hooks !== "only" && !replaced && !quiet) out.push(...expectations(e, s, tools, said, asks));
    }
    out.push(...(v.after?.(e, i, s) ?? []));
  }
  out.push(...(v.end ?? []));
  return out;
}

function state(thread: string): State {
  return { thread, outcomes: [], busy: false, deliveries: 0, stops: 0 };
}

function expectations(
  e: Extract<StreamEvent, { t: "note" }>,
  s: State,
  tools: Map<string, { n: number; failed: number }>,
  said: Map<string, string>,
  asks: Map<string, string>,
): P[] {
  const p = e.params;
  switch (e.method) {
    case "thread/started":
      return [expect(s.thread, {
        status: "online",
        turn_state: "pending_first_turn",
        sources: ["app-server"],
        transport: "app-server",
      })];
    case "thread/status/changed": {
      const type = (p.status as P).type;
      if (type !== "active" || s.busy) return [];
      s.busy = true;
      s.outcomes.push("open");
      return [expect(s.thread, { status: "busy", turn_state: "working" })];
    }
    case "turn/completed": {
      const turn = p.turn as P;
      const id = String(turn.id);
      s.busy = false;
      const status = String(turn.status);
      s.outcomes = [
        ...s.outcomes.filter((o) => o !== "open"),
        status === "completed" || status === "interrupted" ? status : "failed",
      ];
      const t = tools.get(id);
      const out: P[] = [expect(s.thread, {
        status: "online",
        turn_state: "idle",
        turns: [...s.outcomes],
        ...(t ? { turn: { index: -1, tool_invocations: t.n, tool_failures: t.failed } } : {}),
      })];
      const ask = asks.get(id);
      if (ask) {
        out.push({ step: "expect_message", message: ask, status: "answered", reply: said.get(id) ?? null });
      }
      return out;
    }
    case "thread/closed":
      return [expect(s.thread, { status: "offline", end_reason: "thread_closed", turns: [...s.outcomes] })];
  }
  return [];
}

const isNote = (e: StreamEvent, method: string) => e.t === "note" && e.method === method;
const firstCompleted = (events: StreamEvent[]) => events.findIndex((e) => isNote(e, "turn/completed"));
const deliveryIndex = (events: StreamEvent[], n: number) =>
  events.findIndex((e, i) =>
    e.t === "deliver" && events.slice(0, i + 1).filter((x) => x.t === "deliver").length === n
  );

/** The variants of one recording. */
export function variants(events: StreamEvent[]): Variant[] {
  const firstTurn = firstCompleted(events);
  const startedAt = events.findIndex((e) => isNote(e, "thread/started"));
  const thread = (events[startedAt] as { params: P }).params.thread as P;
  const second = deliveryIndex(events, 2);
  const third = deliveryIndex(events, 3);
  const busyInSecond = events.findIndex((e, i) =>
    i > second && isNote(e, "thread/status/changed") &&
    ((e as { params: P }).params.status as P).type === "active"
  );
  const upToFirst = (_: StreamEvent, i: number) => i <= firstTurn;
  const id = String(thread.id);
  return [
    {
      name: "deliver_start_steer",
      description:
        "The whole recorded stream: a thread seen before its first prompt, notifies delivered by " +
        "turn/start to the idle thread, a failing shell command, an ask steered into the running turn and " +
        "answered by its final message, the thread closed 60 s after its client left.",
    },
    {
      name: "ask_idle",
      description:
        "An ask to the idle thread starts a turn (turn/start) and is answered by that turn's final message.",
      keep: upToFirst,
      kinds: { 1: "ask" },
    },
    {
      name: "drop_restore",
      description: "The daemon link drops mid-turn and while idle: transport goes disconnected, no session " +
        "status changes, a notify sent meanwhile waits and goes through the daemon once the link is back, " +
        "and the end state is the whole stream's.",
      after: (_, i, s) =>
        i === busyInSecond
          ? [
            { step: "daemon", action: "drop" },
            expect(id, {
              status: "busy",
              turn_state: "working",
              transport: "disconnected",
              turns: [...s.outcomes],
            }),
            { step: "daemon", action: "restore" },
            expect(id, {
              status: "busy",
              turn_state: "working",
              transport: "app-server",
              turns: [...s.outcomes],
            }),
          ]
          : undefined,
      before: (e, i, s) => {
        if (i !== third || e.t !== "deliver") return undefined;
        return [
          { step: "daemon", action: "drop" },
          expect(id, {
            status: "online",
            turn_state: "idle",
            transport: "disconnected",
            turns: [...s.outcomes],
          }),
          { step: "app_server", answer: { method: e.method, result: e.result } },
          {
            step: "message",
            session: id,
            kind: e.kind,
            text: e.text,
            from: e.from,
            as: "m3",
            expect: { http: 202, status: "queued", via: "hook" },
          },
          { step: "daemon", action: "restore" },
          { step: "expect_message", message: "m3", status: "delivered", via: "app-server" },
        ];
      },
      replace: (_, i) => i === third,
    },
    {
      name: "daemon_after_hub",
      description:
        "The daemon starts after the hub, with the thread already loaded: the bridge notices the " +
        "socket, lists the thread (pending_first_turn) and delivers through it.",
      keep: upToFirst,
      ownDaemon: true,
      before: (_, i) =>
        i === startedAt
          ? [
            { step: "advance", seconds: 1 },
            { step: "daemon", action: "start", threads: [thread] },
            expect(id, { status: "online", turn_state: "pending_first_turn", transport: "app-server" }),
          ]
          : undefined,
      replace: (_, i) => i === startedAt,
    },
    {
      name: "hub_after_daemon",
      description:
        "The hub starts after the daemon announced the thread: it reconciles (thread/loaded/list, " +
        "thread/read) and lists the session before its first prompt.",
      keep: upToFirst,
      ownDaemon: true,
      quietStart: true,
      before: (_, i) => i === startedAt ? [{ step: "daemon", action: "start" }] : undefined,
      after: (_, i) =>
        i === startedAt
          ? [
            { step: "hub_start" },
            expect(id, { status: "online", turn_state: "pending_first_turn", transport: "app-server" }),
          ]
          : undefined,
    },
    {
      name: "hooks_and_app_server",
      description: "The whole stream with lifeline's hooks firing where Codex ran hooks: at every hook the " +
        "session is what hooks alone make it (app_server_hooks_only), and the app-server adds the rest.",
      hooks: "both",
      end: [expect(id, { sources: ["app-server", "hook"], contradictions: 0 })],
    },
    {
      name: "hooks_only",
      description:
        "Only the hooks of app_server_hooks_and_app_server, with the same expectations at each hook.",
      hooks: "only",
      end: [expect(id, { sources: ["hook"], contradictions: 0 })],
    },
  ];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RECORDED = `${ROOT}tests/testdata/recorded/app_server/`;
/** Where the converted scenarios go. */
export const SCENARIO_DIR = `${ROOT}simulator/scenarios/recorded/app_server/`;

/** Every recording: its version and events. */
/**
 * The recordings the variants are cut from. `manual_compaction.jsonl` is not one: it holds a refused
 * delivery (a compaction takes no input), which the real-daemon test checks itself.
 */
const CONVERTED = ["deliver_start_steer.jsonl"];

export function recordings(): { version: string; name: string; events: StreamEvent[] }[] {
  const out = [];
  for (const d of [...Deno.readDirSync(RECORDED)].filter((e) => e.isDirectory).map((e) => e.name).sort()) {
    for (
      const f of [...Deno.readDirSync(RECORDED + d)].map((e) => e.name).filter((n) => CONVERTED.includes(n))
        .sort()
    ) {
      const file = `${RECORDED}${d}/${f}`;
      out.push({
        version: d,
        name: f.replace(/\.jsonl$/, ""),
        events: readStream(Deno.readTextFileSync(file), file),
      });
    }
  }
  return out;
}

if (import.meta.main) {
  let n = 0;
  for (const { version, events } of recordings()) {
    Deno.mkdirSync(SCENARIO_DIR + version, { recursive: true });
    for (const v of variants(events)) {
      const text = toScenario(events, version, v).map((x) => JSON.stringify(x)).join("\n") + "\n";
      Deno.writeTextFileSync(`${SCENARIO_DIR}${version}/${v.name}.jsonl`, text);
      n++;
    }
  }
  Deno.stdout.writeSync(new TextEncoder().encode(`Wrote ${n} scenarios to ${SCENARIO_DIR}\n`));
}
