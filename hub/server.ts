/**
 * The hub: a small HTTP + WebSocket server on 127.0.0.1 that shows sessions
 * and delivers messages to them through each session's sidecar.
 *
 * - every request needs the bearer token from `$LIFELINE_STATE_DIR/hub.token`
 *   (`Authorization: Bearer …`, or `?token=` for the page); browser requests
 *   from another Origin are refused;
 * - `GET /healthz`, `GET /sessions`, `GET /sessions/:id`, `POST /sessions/:id/messages`, `GET /`;
 * - `/ws`: the sidecar protocol (`hub/protocol.ts`).
 *
 * A dropped WebSocket only changes `transport`, never a session's status.
 *
 * @module
 */

import { Store } from "../lifecycle/store/mod.ts";
import { type SessionReport, sessionReport } from "../lifecycle/status.ts";
import { processAlive } from "../lifecycle/process.ts";
import { CLOSE, type HubFrame, parseSidecarFrame } from "./protocol.ts";
import { pageHtml } from "./page.ts";
import { forwardConfig } from "../lifecycle/forward/config.ts";
import { flush } from "../lifecycle/forward/flush.ts";

/** Options of {@link startHub}. */
export interface HubOptions {
  stateDir: string;
  /** 0 = any free port. */
  port: number;
  /** Queued notify messages live this long (default 1 day). */
  queueTtlMs?: number;
  /** At most this many queued messages per session (default 100). */
  queueCap?: number;
  /** How long to wait for a sidecar's ack (default 5 s). */
  ackTimeoutMs?: number;
  /** Ping interval; a sidecar silent for 2.5 intervals is dropped (default 10 s). */
  pingMs?: number;
  staleBusySeconds?: number;
  now?: () => Date;
  /** Whether a recorded Codex process lives (default: /proc). */
  alive?: (pid: number, startedAt: string) => boolean | undefined;
}

/** A running hub. */
export interface Hub {
  url: string;
  port: number;
  token: string;
  /** Sessions with a connected sidecar. */
  connected(): string[];
  /** Closes a session's sidecar connection from the hub's side (a transport drop); the sidecar reconnects. */
  drop(sessionId: string): boolean;
  close(): Promise<void>;
}

/** One session as `/sessions` shows it: the status report plus transport. */
export type HubSession = SessionReport & { transport: "connected" | "disconnected" };

/** Reads the hub token, creating it (mode 0600) on first start. */
export function hubToken(stateDir: string): string {
  const path = `${stateDir}/hub.token`;
  try {
    const t = Deno.readTextFileSync(path).trim();
    if (t) return t;
  } catch { /* first start */ }
  Deno.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  Deno.writeTextFileSync(path, token + "\n", { mode: 0o600 });
  Deno.chmodSync(path, 0o600);
  return token;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

interface Conn {
  socket: WebSocket;
  sessionId: string;
  acks: Map<string, () => void>;
  lastSeen: number;
}

/** Starts the hub. */
export function startHub(o: HubOptions): Hub {
  const now = o.now ?? (() => new Date());
  const token = hubToken(o.stateDir);
  const store = Store.open(o.stateDir);
  const conns = new Map<string, Conn>();
  const ttl = o.queueTtlMs ?? 86_400_000;
  const cap = o.queueCap ?? 100;
  const ackTimeout = o.ackTimeoutMs ?? 5000;
  const pingMs = o.pingMs ?? 10_000;
  const alive = o.alive ?? ((pid: number, startedAt: string) => processAlive(pid, startedAt));
  let port = 0;
  let closing = false;
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const send = (c: Conn, f: HubFrame) => {
    try {
      c.socket.send(JSON.stringify(f));
    } catch { /* closing */ }
  };

  const report = (): HubSession[] => {
    store.maintain({ now: now().toISOString(), staleBusyMs: (o.staleBusySeconds ?? 1800) * 1000, alive });
    return store.sessions().map((s) => ({
      ...sessionReport(store, s),
      transport: conns.has(s.session_id) ? "connected" : "disconnected",
    }));
  };

  /** Hands a message to a connected sidecar; resolves true on ack. */
  const deliver = (
    c: Conn,
    m: { id: string; kind: "notify" | "ask"; text: string; created_at: string },
  ): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        c.acks.delete(m.id);
        resolve(false);
      }, ackTimeout);
      c.acks.set(m.id, () => {
        clearTimeout(timer);
        resolve(true);
      });
      send(c, { type: "deliver", ...m });
    });

  const replayQueue = async (c: Conn) => {
    for (const q of store.queued(c.sessionId, now().toISOString())) {
      if (conns.get(c.sessionId) !== c) return;
      const ok = await deliver(c, {
        id: q.id,
        kind: q.kind as "notify",
        text: q.text,
        created_at: q.created_at,
      });
      if (!ok) return; // still queued; replayed on the next connection
      store.dequeue(q.id);
    }
  };

  const onSocket = (socket: WebSocket) => {
    let conn: Conn | undefined;
    const closeWith = (code: number, reason: string) => {
      try {
        socket.close(code, reason);
      } catch { /* already closed */ }
    };
    socket.onmessage = (ev) => {
      const f = parseSidecarFrame(ev.data);
      if (typeof f === "string") return closeWith(CLOSE.badFrame, f);
      if (!conn) {
        if (f.type !== "connect") {
          return closeWith(CLOSE.connectFirst, 'the first frame must be {"type":"connect",…}');
        }
        if (!timingSafeEqual(f.token, token)) return closeWith(CLOSE.unauthorized, "bad token");
        const old = conns.get(f.session_id);
        conn = { socket, sessionId: f.session_id, acks: new Map(), lastSeen: Date.now() };
        conns.set(f.session_id, conn);
        if (old) {
          try {
            old.socket.close(CLOSE.replaced, "replaced by a newer connection for this session");
          } catch { /* gone */ }
        }
        store.setTransport(f.session_id, "connected", now().toISOString(), f.pid);
        send(conn, { type: "welcome" });
        void replayQueue(conn);
        return;
      }
      conn.lastSeen = Date.now();
      if (f.type === "connect") return closeWith(CLOSE.badFrame, "already connected");
      if (f.type === "ack") conn.acks.get(f.id)?.();
      else if (f.type === "ping") send(conn, { type: "pong" });
    };
    socket.onclose = () => {
      if (conn && conns.get(conn.sessionId) === conn && !closing) {
        conns.delete(conn.sessionId);
        store.setTransport(conn.sessionId, "disconnected", now().toISOString(), null);
      }
    };
    socket.onerror = () => {};
  };

  // Forwarding: the hub flushes the outbox in the background (failures back off per record).
  const forward = forwardConfig((k) => {
    try {
      return Deno.env.get(k);
    } catch {
      return undefined;
    }
  });
  let flushing = false;
  const flusher = forward
    ? setInterval(() => {
      if (flushing || closing) return;
      flushing = true;
      flush(store, forward, { budgetMs: 4000, now }).catch(() => {}).finally(() => (flushing = false));
    }, 5000)
    : undefined;

  const pinger = setInterval(() => {
    for (const c of conns.values()) {
      if (Date.now() - c.lastSeen > pingMs * 2.5) {
        try {
          c.socket.close(CLOSE.pingTimeout, "no pong");
        } catch { /* gone */ }
      } else send(c, { type: "ping" });
    }
  }, pingMs);

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const origin = req.headers.get("origin");
    if (origin !== null && !origins().has(origin)) {
      return json({ error: `origin ${origin} is not allowed` }, 403);
    }
    if (url.pathname === "/ws") {
      // WebSocket clients cannot set headers everywhere: the token travels in the first (connect) frame.
      if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return json({ error: "/ws expects a WebSocket upgrade" }, 426);
      }
      const { socket, response } = Deno.upgradeWebSocket(req);
      onSocket(socket);
      return response;
    }
    const auth = req.headers.get("authorization");
    const given = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : url.searchParams.get("token") ?? "";
    if (!timingSafeEqual(given, token)) {
      return json({
        error:
          "missing or wrong token: send Authorization: Bearer <token> (see $LIFELINE_STATE_DIR/hub.token)",
      }, 401);
    }
    if (req.method === "GET" && url.pathname === "/") {
      return new Response(pageHtml(), { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (req.method === "GET" && url.pathname === "/healthz") {
      return json({ ok: true, sessions_connected: conns.size });
    }
    if (req.method === "GET" && url.pathname === "/sessions") return json({ sessions: report() });
    const m = /^\/sessions\/([^/]+)(\/messages)?$/.exec(url.pathname);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (!m[2] && req.method === "GET") {
        const s = report().find((x) => x.session_id === id);
        return s ? json(s) : json({ error: `unknown session ${JSON.stringify(id)}` }, 404);
      }
      if (m[2] && req.method === "POST") return await postMessage(id, req);
    }
    return json({ error: `no route for ${req.method} ${url.pathname}` }, 404);
  };

  const postMessage = async (id: string, req: Request): Promise<Response> => {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return json({ error: 'body must be JSON: {"kind":"notify"|"ask","text":"…"}' }, 400);
    }
    const b = body as Record<string, unknown>;
    if (typeof b !== "object" || b === null || (b.kind !== "notify" && b.kind !== "ask")) {
      return json({ error: 'field "kind" must be "notify" or "ask"' }, 400);
    }
    if (typeof b.text !== "string" || b.text.trim() === "" || b.text.length > 65_536) {
      return json({ error: 'field "text" must be a non-empty string of at most 65536 characters' }, 400);
    }
    if (!store.session(id)) return json({ error: `unknown session ${JSON.stringify(id)}` }, 404);
    const msg = {
      id: crypto.randomUUID(),
      kind: b.kind,
      text: b.text,
      created_at: now().toISOString(),
    } as const;
    const c = conns.get(id);
    if (c && await deliver(c, msg)) {
      return json({
        id: msg.id,
        status: "delivered",
        detail:
          "handed to the session's sidecar; Codex gets it at its next prompt, session start or turn end",
      });
    }
    const why = c
      ? "its sidecar did not acknowledge the message"
      : "its sidecar is not connected (Codex not running, or no hook has run since the hub started)";
    if (msg.kind === "ask") {
      return json({
        error:
          `session ${id} has no live connection: ${why}; an ask needs an answer now, so it was not queued`,
      }, 503);
    }
    store.enqueue({
      ...msg,
      session_id: id,
      expires_at: new Date(Date.parse(msg.created_at) + ttl).toISOString(),
    }, cap);
    return json({
      id: msg.id,
      status: "queued",
      detail: `${why}; queued for ${Math.round(ttl / 1000)} s and delivered once when it reconnects`,
    }, 202);
  };

  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: o.port, signal: ac.signal, onListen: () => {} },
    handler,
  );
  port = server.addr.port;
  const url = `http://127.0.0.1:${port}`;
  Deno.writeTextFileSync(
    `${o.stateDir}/hub.json`,
    JSON.stringify({ url, pid: Deno.pid, started_at: now().toISOString() }) + "\n",
    { mode: 0o600 },
  );
  return {
    url,
    port,
    token,
    connected: () => [...conns.keys()],
    drop(sessionId) {
      const c = conns.get(sessionId);
      if (!c) return false;
      try {
        c.socket.close(1012, "dropped");
      } catch { /* gone */ }
      return true;
    },
    async close() {
      closing = true;
      clearInterval(pinger);
      if (flusher !== undefined) clearInterval(flusher);
      for (const c of conns.values()) {
        try {
          c.socket.close(1001, "hub stopping");
        } catch { /* gone */ }
      }
      ac.abort();
      await server.finished;
      try {
        Deno.removeSync(`${o.stateDir}/hub.json`);
      } catch { /* already gone */ }
      store.close();
    },
  };
}
