/**
 * A fake Codex app-server daemon: a WebSocket server on a Unix socket that
 * answers JSON-RPC requests from a script, pushes scripted notifications and
 * server requests, records every message clients send, and can drop its
 * links or go away and come back, for the bridge tests.
 *
 * @module
 */

/** Answers one request: a `result`, or `{ error }` for a JSON-RPC error. */
export type FakeHandler = (
  params: Record<string, unknown>,
) => unknown | { error: { code: number; message: string } };

/** A message a client sent. */
export interface Received {
  conn: number;
  msg: Record<string, unknown>;
}

/** A running fake. */
export interface FakeAppServer {
  readonly socketPath: string;
  /** Every message clients sent, in order. */
  readonly received: Received[];
  /** Sets the handler of a method (the defaults answer initialize and empty lists). */
  on(method: string, handler: FakeHandler): void;
  /** Sends a raw message (notification or request) to every open connection. */
  broadcast(msg: Record<string, unknown>): void;
  /** Resolves when a client message matching `pred` has arrived (counting earlier ones). */
  waitFor(pred: (r: Received) => boolean): Promise<Received>;
  /** The number of open connections. */
  readonly open: number;
  /** Resolves when `n` connections have been opened in total. */
  waitForConnections(n: number): Promise<void>;
  /** Closes every open connection (the server stays up). */
  dropLinks(): void;
  /** Stops listening and removes the socket. */
  close(): Promise<void>;
}

/** Starts the fake on `socketPath`. */
export function startFakeAppServer(socketPath: string): FakeAppServer {
  const handlers = new Map<string, FakeHandler>([
    ["initialize", () => ({ userAgent: "fake/0.169.0", codexHome: "/fake", platformOs: "linux" })],
    ["thread/loaded/list", () => ({ data: [], nextCursor: null })],
  ]);
  const received: Received[] = [];
  const sockets = new Set<WebSocket>();
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const connWaiters: { n: number; resolve: () => void }[] = [];
  let opened = 0;
  const server = Deno.serve({ transport: "unix", path: socketPath, onListen() {} }, (req) => {
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
      const msg = JSON.parse(String(e.data)) as Record<string, unknown>;
      const r = { conn, msg };
      received.push(r);
      for (const w of waiters.filter((w) => w.pred(r))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
      const method = msg["method"];
      if (typeof method !== "string" || msg["id"] === undefined) return;
      const handler = handlers.get(method);
      const out = handler
        ? handler((msg["params"] ?? {}) as Record<string, unknown>)
        : { error: { code: -32601, message: `method not found: ${method}` } };
      const isError = typeof out === "object" && out !== null && "error" in out;
      // Like the real daemon: no "jsonrpc" member on what the server sends.
      socket.send(JSON.stringify(isError ? { id: msg["id"], ...out } : { id: msg["id"], result: out }));
    };
    return response;
  });
  return {
    socketPath,
    received,
    on(method, handler) {
      handlers.set(method, handler);
    },
    broadcast(msg) {
      for (const s of sockets) s.send(JSON.stringify(msg));
    },
    waitFor(pred) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    get open() {
      return sockets.size;
    },
    waitForConnections(n) {
      if (opened >= n && sockets.size > 0) return Promise.resolve();
      return new Promise((resolve) => connWaiters.push({ n, resolve }));
    },
    dropLinks() {
      for (const s of sockets) s.close(1001, "dropped by the test");
    },
    async close() {
      for (const s of sockets) s.close(1001, "server going away");
      await server.shutdown();
      await Deno.remove(socketPath).catch(() => {});
    },
  };
}
