/**
 * A stand-in Codex app-server daemon: a WebSocket server on a Unix socket
 * (where Codex puts it: `$CODEX_HOME/app-server-control/app-server-control.sock`)
 * that speaks JSON-RPC like the daemon. Requests are answered by a handler
 * set with `on`, else by its {@link DaemonModel} (recorded answers first,
 * then what the model knows); `notify` sends a notification to every link
 * and teaches the model; every message clients send is kept. It can drop
 * its links, go away and come back (`pause`, `resume`), for the simulator's
 * app-server scenarios and the hub's tests.
 *
 * Like the real daemon, nothing it sends carries `"jsonrpc": "2.0"`.
 *
 * @module
 */

import type { JsonObject } from "../codex/json.ts";
import {
  type DaemonAnswer,
  DaemonModel,
  type DaemonModelOptions,
  type DaemonNotification,
} from "./daemon_model.ts";

/** Answers one request: a `result`, or `{ error }` for a JSON-RPC error. */
export type FakeHandler = (
  params: Record<string, unknown>,
) => unknown | { error: { code: number; message: string } };

/** A message a client sent, with the number of the connection it came on (1-based). */
export interface Received {
  conn: number;
  msg: Record<string, unknown>;
}

/** A running fake. */
export interface FakeAppServer {
  readonly socketPath: string;
  readonly model: DaemonModel;
  /** Every message clients sent, in order. */
  readonly received: Received[];
  /** Sets the handler of a method (it takes precedence over the model). */
  on(method: string, handler: FakeHandler): void;
  /** Sends a raw message (notification or request) to every open connection; the model learns nothing. */
  broadcast(msg: Record<string, unknown>): void;
  /** Teaches the model a notification and sends it to every open connection. */
  notify(n: DaemonNotification): void;
  /**
   * Resolves `true` once the client on the open link has handled everything sent before (see
   * {@link DaemonModel.barrier}); `false` at once when no link is open.
   */
  barrier(): Promise<boolean>;
  /** Resolves when a client message matching `pred` has arrived (counting earlier ones). */
  waitFor(pred: (r: Received) => boolean): Promise<Received>;
  /** The number of open connections. */
  readonly open: number;
  /** How many notifications `notify` sent (barriers not counted). */
  readonly sent: number;
  /** How many connections were opened in total. */
  readonly opened: number;
  /** Resolves when `n` connections have been opened in total. */
  waitForConnections(n: number): Promise<void>;
  /** Closes every open connection (the server stays up). */
  dropLinks(): void;
  /** Closes every link and stops listening (the socket is gone) until {@link resume}. */
  pause(): Promise<void>;
  /** Listens again on the same socket. */
  resume(): void;
  /** Whether it is listening. */
  readonly listening: boolean;
  /** Stops listening and removes the socket. */
  close(): Promise<void>;
}

/** Options of {@link startFakeAppServer}. */
export interface FakeAppServerOptions extends DaemonModelOptions {
  /** Start with the socket absent (a daemon that starts later): call `resume()` to listen. */
  paused?: boolean;
}

/** Starts the fake on `socketPath`. */
export function startFakeAppServer(socketPath: string, opts: FakeAppServerOptions = {}): FakeAppServer {
  const model = new DaemonModel({ userAgent: "fake/0.169.0", codexHome: "/fake", ...opts });
  const handlers = new Map<string, FakeHandler>();
  const received: Received[] = [];
  const sockets = new Set<WebSocket>();
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const connWaiters: { n: number; resolve: () => void }[] = [];
  let opened = 0;
  let sent = 0;
  let server: Deno.HttpServer | undefined;

  const answerOf = (method: string, params: Record<string, unknown>): DaemonAnswer => {
    const handler = handlers.get(method);
    if (!handler) return model.answer(method, params as JsonObject);
    const out = handler(params);
    return typeof out === "object" && out !== null && "error" in out ? out as DaemonAnswer : { result: out };
  };

  const accept = (req: Request): Response => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const conn = ++opened;
    socket.onopen = () => {
      sockets.add(socket);
      for (const w of connWaiters.filter((w) => opened >= w.n)) {
        connWaiters.splice(connWaiters.indexOf(w), 1);
        w.resolve();
      }
    };
    socket.onclose = () => sockets.delete(socket);
    socket.onmessage = (e) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(e.data)) as Record<string, unknown>;
      } catch {
        return; // the real daemon ignores what it cannot read, too
      }
      const r = { conn, msg };
      received.push(r);
      for (const w of waiters.filter((w) => w.pred(r))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
      const method = msg["method"];
      if (typeof method !== "string" || msg["id"] === undefined) return;
      const out = answerOf(method, (msg["params"] ?? {}) as Record<string, unknown>);
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: msg["id"], ...out }));
    };
    return response;
  };

  const listen = () => {
    try {
      Deno.removeSync(socketPath);
    } catch { /* no stale socket */ }
    server = Deno.serve({ transport: "unix", path: socketPath, onListen() {} }, accept);
  };
  const dropLinks = () => {
    for (const s of sockets) s.close(1001, "dropped");
  };
  const stop = async () => {
    dropLinks();
    const s = server;
    server = undefined;
    await s?.shutdown();
    await Deno.remove(socketPath).catch(() => {});
  };
  if (!opts.paused) listen();

  const broadcast = (msg: Record<string, unknown>) => {
    for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify(msg));
  };

  return {
    socketPath,
    model,
    received,
    on(method, handler) {
      handlers.set(method, handler);
    },
    broadcast,
    notify(n) {
      sent++;
      broadcast({ ...model.notify(n) });
    },
    get sent() {
      return sent;
    },
    barrier() {
      if (sockets.size === 0) return Promise.resolve(false);
      const b = model.barrier();
      broadcast({ ...model.notify(b.notification) });
      return b.reached.then(() => true);
    },
    waitFor(pred) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    get open() {
      return sockets.size;
    },
    get opened() {
      return opened;
    },
    waitForConnections(n) {
      if (opened >= n && sockets.size > 0) return Promise.resolve();
      return new Promise((resolve) => connWaiters.push({ n, resolve }));
    },
    dropLinks,
    pause: stop,
    resume() {
      if (!server) listen();
    },
    get listening() {
      return server !== undefined;
    },
    close: stop,
  };
}
