/**
 * The sidecars' WebSocket connections (`/ws`, frames in `hub/protocol.ts`):
 * one connection per session (a newer one replaces the older), acknowledged
 * delivery, the queue replayed on connect, and pings that drop a silent
 * sidecar. A dropped connection only changes the session's `transport`, never
 * its status: the session may well be alive, and its sidecar reconnects.
 *
 * @module
 */

import type { Store } from "../lifecycle/store/mod.ts";
import { CLOSE, type HubFrame, hubProof, newNonce, parseSidecarFrame, sidecarProof } from "./protocol.ts";
import { timingSafeEqual } from "./auth.ts";

/** A message on its way to a session. */
export interface OutgoingMessage {
  id: string;
  kind: "notify" | "ask";
  text: string;
  created_at: string;
}

/** How a delivery went: acknowledged, sent but not acknowledged in time, or no sidecar to send to. */
export type DeliveryResult = "delivered" | "unacknowledged" | "not_connected";

/** Options of {@link connections}. */
export interface ConnectionOptions {
  store: Store;
  token: string;
  now: () => Date;
  /** How long to wait for a sidecar's ack. */
  ackTimeoutMs: number;
  /** Ping interval; a sidecar silent for 2.5 intervals is dropped. */
  pingMs: number;
  /** A socket that has not authenticated this long after it opened is closed. */
  authTimeoutMs: number;
  /** The port the hub listens on, which its handshake proof is bound to. */
  port: () => number;
  log: (line: string) => void;
}

/** The hub's live sidecar connections. */
export interface Connections {
  /** Serves an upgraded `/ws` socket: the first frame must be a `connect`, then the handshake. */
  accept(socket: WebSocket): void;
  has(sessionId: string): boolean;
  /** Sessions with a connected sidecar whose queue has been replayed. */
  sessionIds(): string[];
  count(): number;
  deliver(sessionId: string, m: OutgoingMessage): Promise<DeliveryResult>;
  /** Closes a session's connection from the hub's side (a transport drop); the sidecar reconnects. */
  drop(sessionId: string): boolean;
  /** Stops pinging and closes every connection, leaving the sessions' transport as it was. */
  close(): void;
}

interface Conn {
  socket: WebSocket;
  sessionId: string;
  acks: Map<string, () => void>;
  lastSeen: number;
  /** The queue has been replayed: only then does the session count as connected. */
  ready: boolean;
}

function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch { /* already closed */ }
}

/** Starts the connection registry (and its pinger; {@link Connections.close} stops it). */
export function connections(o: ConnectionOptions): Connections {
  const { store, now } = o;
  const conns = new Map<string, Conn>();
  let closing = false;

  const send = (c: Conn, f: HubFrame) => {
    try {
      c.socket.send(JSON.stringify(f));
    } catch { /* closing */ }
  };

  /** Hands a message to a connected sidecar; resolves true on ack. */
  const deliverTo = (c: Conn, m: OutgoingMessage): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        c.acks.delete(m.id);
        resolve(false);
      }, o.ackTimeoutMs);
      c.acks.set(m.id, () => {
        clearTimeout(timer);
        resolve(true);
      });
      send(c, { type: "deliver", ...m });
    });

  const replayQueue = async (c: Conn) => {
    for (const q of store.queued(c.sessionId, now().toISOString())) {
      if (conns.get(c.sessionId) !== c) return;
      const ok = await deliverTo(c, {
        id: q.id,
        kind: q.kind as "notify",
        text: q.text,
        created_at: q.created_at,
      });
      if (!ok) return; // still queued; replayed on the next connection
      store.dequeue(q.id);
    }
  };

  const accept = (socket: WebSocket) => {
    let conn: Conn | undefined;
    let pending: { sessionId: string; pid: number | null; hubNonce: string } | undefined;
    const closeWith = (code: number, reason: string) => {
      if (!conn) o.log(`refused a sidecar WebSocket: ${reason}`);
      closeQuietly(socket, code, reason);
    };
    const authTimer = setTimeout(
      () => !conn && closeWith(CLOSE.authTimeout, `not authenticated within ${o.authTimeoutMs} ms`),
      o.authTimeoutMs,
    );
    const establish = (sessionId: string, pid: number | null) => {
      clearTimeout(authTimer);
      const old = conns.get(sessionId);
      const c: Conn = { socket, sessionId, acks: new Map(), lastSeen: Date.now(), ready: false };
      conn = c;
      conns.set(sessionId, c);
      if (old) closeQuietly(old.socket, CLOSE.replaced, "replaced by a newer connection for this session");
      store.setTransport(sessionId, "connected", now().toISOString(), pid);
      o.log(`sidecar connected: session ${sessionId}${pid ? ` (Codex pid ${pid})` : ""}`);
      send(c, { type: "welcome" });
      // Counted as connected once what was queued for it has been handed over (or failed to be).
      void replayQueue(c).catch(() => {}).finally(() => (c.ready = true));
    };
    const handle = async (data: unknown) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      const f = parseSidecarFrame(data);
      if (typeof f === "string") return closeWith(CLOSE.badFrame, f);
      if (!conn) {
        if (pending) {
          if (f.type !== "auth") return closeWith(CLOSE.badFrame, 'expected {"type":"auth","proof":…}');
          const want = await sidecarProof(o.token, pending.hubNonce);
          if (!timingSafeEqual(f.proof, want)) return closeWith(CLOSE.unauthorized, "bad token");
          return establish(pending.sessionId, pending.pid);
        }
        if (f.type !== "connect") {
          return closeWith(CLOSE.connectFirst, 'the first frame must be {"type":"connect",…}');
        }
        if (f.nonce !== undefined) {
          const hubNonce = newNonce();
          pending = { sessionId: f.session_id, pid: f.pid, hubNonce };
          const proof = await hubProof(o.token, o.port(), f.nonce);
          try {
            socket.send(JSON.stringify({ type: "challenge", nonce: hubNonce, proof } satisfies HubFrame));
          } catch { /* closing */ }
          return;
        }
        if (!timingSafeEqual(f.token ?? "", o.token)) return closeWith(CLOSE.unauthorized, "bad token");
        return establish(f.session_id, f.pid);
      }
      conn.lastSeen = Date.now();
      if (f.type === "connect" || f.type === "auth") return closeWith(CLOSE.badFrame, "already connected");
      if (f.type === "ack") conn.acks.get(f.id)?.();
      else if (f.type === "ping") send(conn, { type: "pong" });
    };
    // Frames are handled one at a time, in order, though checking a proof is asynchronous.
    let chain = Promise.resolve();
    socket.onmessage = (ev) => {
      chain = chain.then(() => handle(ev.data)).catch(() => closeWith(CLOSE.badFrame, "internal error"));
    };
    socket.onclose = () => {
      clearTimeout(authTimer);
      if (conn && conns.get(conn.sessionId) === conn && !closing) {
        conns.delete(conn.sessionId);
        store.setTransport(conn.sessionId, "disconnected", now().toISOString(), null);
        o.log(`sidecar disconnected: session ${conn.sessionId}`);
      }
    };
    socket.onerror = () => {};
  };

  const pinger = setInterval(() => {
    for (const c of conns.values()) {
      if (Date.now() - c.lastSeen > o.pingMs * 2.5) closeQuietly(c.socket, CLOSE.pingTimeout, "no pong");
      else send(c, { type: "ping" });
    }
  }, o.pingMs);

  return {
    accept,
    has: (id) => conns.get(id)?.ready === true,
    sessionIds: () => [...conns.values()].filter((c) => c.ready).map((c) => c.sessionId),
    count: () => [...conns.values()].filter((c) => c.ready).length,
    async deliver(id, m) {
      const c = conns.get(id);
      if (!c) return "not_connected";
      return (await deliverTo(c, m)) ? "delivered" : "unacknowledged";
    },
    drop(id) {
      const c = conns.get(id);
      if (!c) return false;
      closeQuietly(c.socket, 1012, "dropped");
      return true;
    },
    close() {
      closing = true;
      clearInterval(pinger);
      for (const c of conns.values()) closeQuietly(c.socket, 1001, "hub stopping");
    },
  };
}
