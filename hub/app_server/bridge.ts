/**
 * The app-server bridge: keeps a read-only link to Codex's app-server daemon
 * and turns what it says into app-server observations for a sink.
 *
 * - It connects when the socket exists and polls the path until it does, so
 *   a daemon that starts after the hub is noticed.
 * - On connect it reconciles: `thread/loaded/list` (all pages), then
 *   `thread/read` of each thread (a thread listed before its first prompt is
 *   a session in `pending_first_turn`).
 * - It subscribes to a thread (`thread/resume`) only while a turn runs, to
 *   hear its turn, item, token and hook notifications, and asks
 *   `thread/turns/list` for the turn it joined (see `subscriptions.ts` for
 *   why it must let go between turns).
 * - When the link drops it reports `transport: down` (no session changes) and
 *   reconnects after min(2^(n-1), 30) s, n counting consecutive failures.
 * - It never answers the daemon's requests (approvals): the client ignores them.
 * - {@link AppServerBridge.deliver} hands a message to a thread: `turn/start`
 *   when it is idle, `turn/steer` with `expectedTurnId` when a turn runs.
 *
 * @module
 */

import { type AppServerObservation, AppServerTracker } from "../../lifecycle/app_server_observations.ts";
import {
  latestTurnRequest,
  loadedListRequest,
  parseLoadedList,
  parseThreadResult,
  parseTurnsList,
  parseTurnStartResult,
  parseTurnSteerResult,
  steerFoundNoTurn,
  steerFoundTurnId,
  threadReadRequest,
  turnNotSteerable,
  turnStartRequest,
  turnSteerRequest,
} from "../../codex/app_server/requests.ts";
import {
  type AppServerClient,
  AppServerLinkError,
  connectAppServer,
  type NotificationEvent,
  RpcError,
} from "./client.ts";
import { frameMessage, type MessageMeta } from "./frame.ts";
import { Subscriptions } from "./subscriptions.ts";

/** The delay before reconnect attempt `n` (1-based): min(2^(n-1), 30) seconds. */
export function backoffMs(n: number): number {
  return Math.min(2 ** Math.max(0, n - 1), 30) * 1000;
}

/** Time as the bridge sees it. */
export interface BridgeClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock. */
export const SYSTEM_CLOCK: BridgeClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done);
    }),
};

/** The bridge's ports. */
export interface BridgeOptions {
  /** `$CODEX_HOME/app-server-control/app-server-control.sock`. */
  socketPath: string;
  sink: (obs: AppServerObservation) => void;
  /** Opens an initialized client (default: {@link connectAppServer}). */
  connect?: (socketPath: string) => Promise<AppServerClient>;
  clock?: BridgeClock;
  /** Whether the socket exists (default: `Deno.stat`). */
  exists?: (path: string) => Promise<boolean>;
  /** How often to look for the socket while there is none (default 250 ms: one stat). */
  pollMs?: number;
  /** lifeline's version, sent in `initialize`. */
  clientVersion?: string;
  /** Diagnostics (a failed reconcile step, a server request ignored). */
  log?: (line: string) => void;
}

/** How a message was delivered. */
export interface Delivery {
  method: "turn/start" | "turn/steer";
  turnId: string;
}

/** A running bridge. */
export interface AppServerBridge {
  /** Whether a link is up now. */
  readonly connected: boolean;
  readonly tracker: AppServerTracker;
  /** Resolves when the current (or next) link is up and reconciled. */
  ready(): Promise<void>;
  deliver(threadId: string, text: string, meta: MessageMeta): Promise<Delivery>;
  stop(): Promise<void>;
}

async function socketExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isSocket === true;
  } catch {
    return false;
  }
}

/** How long a delivery waits for a turn that takes no input (a compaction) to end. */
const NOT_STEERABLE_WAIT_MS = 120_000;

/** Starts the bridge; it runs until {@link AppServerBridge.stop}. */
export function startAppServerBridge(opts: BridgeOptions): AppServerBridge {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const exists = opts.exists ?? socketExists;
  const connect = opts.connect ??
    ((path: string) => connectAppServer(path, { clientVersion: opts.clientVersion ?? "0.0.0" }));
  const log = opts.log ?? (() => {});
  const stopping = new AbortController();
  let tracker = new AppServerTracker();
  /** The client once reconciled (deliveries use it). */
  let client: AppServerClient | undefined;
  /** The client from connect on (stop closes it). */
  let link: AppServerClient | undefined;
  let readyWaiters: (() => void)[] = [];

  /** Deliveries waiting for a thread to go idle (a compaction runs), by thread. */
  const idleWaiters = new Map<string, (() => void)[]>();
  const wakeIdle = (threadId?: string) => {
    for (const [id, ws] of idleWaiters) {
      if (threadId !== undefined && id !== threadId) continue;
      idleWaiters.delete(id);
      for (const w of ws) w();
    }
  };
  const untilIdle = async (threadId: string, ms: number): Promise<void> => {
    const done = new AbortController();
    const stop = () => done.abort();
    stopping.signal.addEventListener("abort", stop);
    const idle = new Promise<void>((resolve) => {
      idleWaiters.set(threadId, [...(idleWaiters.get(threadId) ?? []), resolve]);
    });
    await Promise.race([idle, clock.sleep(ms, done.signal).catch(() => {})]);
    done.abort(); // the timer goes with the wait
    stopping.signal.removeEventListener("abort", stop);
  };

  const emit = (obs: AppServerObservation[]) => {
    for (const o of obs) {
      opts.sink(o);
      if (o.kind === "activity" && o.state === "idle") wakeIdle(o.threadId);
      if (o.kind === "transport" && o.state === "down") wakeIdle();
    }
  };

  /** Subscribes while a turn runs; announces the running turn the subscription joined. */
  const follow = async (subs: Subscriptions, threadId: string, at: number) => {
    if (tracker.isEphemeral(threadId) || !(await subs.active(threadId))) return;
    const req = latestTurnRequest(threadId);
    try {
      const [turn] = parseTurnsList(await subs.client.request(req.method, req.params)) ?? [];
      if (turn?.status === "inProgress" && tracker.thread(threadId)?.turnId !== turn.id) {
        emit(tracker.apply({ method: "turn/started", threadId, turn }, at));
      }
    } catch (e) {
      log(`Cannot list the turns of thread "${threadId}": ${(e as Error).message}`);
    }
  };

  const readThread = async (c: AppServerClient, threadId: string, at: number) => {
    const req = threadReadRequest(threadId);
    try {
      const thread = parseThreadResult(await c.request(req.method, req.params));
      if (!thread) return log(`Cannot read thread "${threadId}": no "thread" in the result`);
      emit(tracker.seen(thread, at, "thread/loaded/list"));
    } catch (e) {
      log(`Cannot read thread "${threadId}": ${(e as Error).message}`);
    }
  };

  const reconcile = async (c: AppServerClient, subs: Subscriptions) => {
    let cursor: string | null = null;
    const ids: string[] = [];
    do {
      const req = loadedListRequest(cursor);
      const page = parseLoadedList(await c.request(req.method, req.params));
      if (!page) throw new AppServerLinkError(`Cannot reconcile: "thread/loaded/list" gave no "data"`);
      ids.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor !== null);
    for (const id of ids) {
      await readThread(c, id, clock.now());
      if (tracker.thread(id)?.busy) await follow(subs, id, clock.now());
    }
  };

  const handle = async (subs: Subscriptions, { notification: n, emittedAtMs }: NotificationEvent) => {
    const at = emittedAtMs ?? clock.now();
    if (n.method === "thread/started") {
      emit(tracker.apply(n, at));
      if (n.thread.status?.type === "active") await follow(subs, n.thread.id, at);
      return;
    }
    const threadId = "threadId" in n ? n.threadId : null;
    if (threadId !== null && n.method !== "thread/closed") {
      if (!tracker.thread(threadId) && !tracker.isEphemeral(threadId)) {
        await readThread(subs.client, threadId, at);
      }
    }
    emit(tracker.apply(n, at));
    if (n.method === "thread/status/changed") {
      if (n.status.type === "active") await follow(subs, n.threadId, at);
      else subs.idle(n.threadId);
    } else if (n.method === "turn/completed") subs.turnCompleted(n.threadId);
    else if (n.method === "thread/closed") subs.closed(n.threadId);
  };

  const session = async (c: AppServerClient) => {
    const subs = new Subscriptions(c, (ms) => clock.sleep(ms, stopping.signal), log);
    // One queue: reconcile first, then every notification in the order it came.
    let queue: Promise<void> = reconcile(c, subs).then(() => {
      client = c;
      for (const w of readyWaiters) w();
      readyWaiters = [];
    });
    const off = c.onNotification((event) => {
      queue = queue.then(() => handle(subs, event)).catch((e) =>
        log(`Cannot handle a notification: ${e.message}`)
      );
    });
    const offRequests = c.onServerRequest((r) =>
      log(`Ignored app-server request "${r.method}" (id ${r.id})`)
    );
    queue.catch((e) => {
      log(`Cannot reconcile with the app-server: ${e.message}`);
      c.close();
    });
    const reason = await c.closed;
    off();
    offRequests();
    client = undefined;
    return reason;
  };

  const loop = async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      if (!(await exists(opts.socketPath))) {
        await clock.sleep(opts.pollMs ?? 250, stopping.signal);
        continue;
      }
      let c: AppServerClient;
      try {
        c = await connect(opts.socketPath);
      } catch (e) {
        failures++;
        log(`Cannot connect to the app-server: ${(e as Error).message}`);
        await clock.sleep(backoffMs(failures), stopping.signal);
        continue;
      }
      if (stopping.signal.aborted) {
        c.close();
        break;
      }
      link = c;
      failures = 0;
      tracker = new AppServerTracker();
      emit([tracker.transport("up", opts.socketPath, clock.now())]);
      const reason = await session(c);
      link = undefined;
      emit([...tracker.release(), tracker.transport("down", opts.socketPath, clock.now(), reason)]);
      if (stopping.signal.aborted) break;
      failures++;
      await clock.sleep(backoffMs(failures), stopping.signal);
    }
  };
  const running = loop();

  const steer = async (
    c: AppServerClient,
    threadId: string,
    expected: string,
    text: string,
    retry: boolean,
  ) => {
    const req = turnSteerRequest(threadId, expected, text);
    try {
      const turnId = parseTurnSteerResult(await c.request(req.method, req.params));
      return { method: "turn/steer", turnId: turnId ?? expected } as const;
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      const found = steerFoundTurnId(e.message);
      if (found && retry) return steer(c, threadId, found, text, false);
      // No running turn after all, or a refusal we cannot read: turn/start works in both cases
      // (on a running thread Codex adds the input to the running turn).
      if (!steerFoundNoTurn(e.message)) {
        log(`Steering thread "${threadId}" failed, starting a turn: ${e.message}`);
      }
      return undefined;
    }
  };

  return {
    get connected() {
      return client !== undefined;
    },
    get tracker() {
      return tracker;
    },
    ready() {
      if (client) return Promise.resolve();
      return new Promise((resolve) => readyWaiters.push(resolve));
    },
    async deliver(threadId, text, meta) {
      const c = client;
      if (!c) throw new AppServerLinkError(`Cannot deliver to thread "${threadId}": no app-server link`);
      const framed = frameMessage(text, meta);
      const t = tracker.thread(threadId);
      if (t?.busy) {
        // Without a known turn id, the refusal of an empty one names the running turn.
        const steered = await steer(c, threadId, t.turnId ?? "", framed, true);
        if (steered) return steered;
      }
      const req = turnStartRequest(threadId, framed);
      const start = async (): Promise<unknown> => {
        try {
          return await c.request(req.method, req.params);
        } catch (e) {
          // A turn that takes no input (a manual compaction) runs: start ours once it ends.
          if (!(e instanceof RpcError) || !turnNotSteerable(e.message) || clock.now() > waitUntil) throw e;
          log(`Thread "${threadId}" runs a turn that takes no input; delivering when it ends`);
          await untilIdle(threadId, NOT_STEERABLE_WAIT_MS);
          if (stopping.signal.aborted || client !== c) throw e;
          return start();
        }
      };
      const waitUntil = clock.now() + NOT_STEERABLE_WAIT_MS;
      const turn = parseTurnStartResult(await start());
      if (!turn) {
        throw new AppServerLinkError(`Cannot deliver to thread "${threadId}": "turn/start" gave no turn`);
      }
      return { method: "turn/start", turnId: turn.id };
    },
    async stop() {
      stopping.abort();
      link?.close();
      for (const w of readyWaiters) w();
      readyWaiters = [];
      await running;
    },
  };
}
