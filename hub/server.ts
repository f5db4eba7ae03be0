/**
 * The hub: a small HTTP + WebSocket server on 127.0.0.1 that shows sessions
 * and delivers messages to them through each session's sidecar. This file
 * starts and stops it; the routes are in `hub/routes.ts`, the token and
 * Origin checks in `hub/auth.ts`, the sidecar connections in
 * `hub/connections.ts`, the files it shares with sidecars and hooks
 * (`hub.json`, `hub.token`) in `hub/sidecar_files.ts`.
 *
 * While it runs the hub also flushes the forwarding outbox in the background
 * (failures back off per record), so a long-lived process does that work
 * instead of the hooks.
 *
 * @module
 */

import { Store } from "../lifecycle/store/mod.ts";
import { processAlive } from "../lifecycle/process.ts";
import { forwardConfig } from "../lifecycle/forward/config.ts";
import { flush } from "../lifecycle/forward/flush.ts";
import { connections } from "./connections.ts";
import { hubHandler } from "./routes.ts";
import { hubToken, removeHubInfo, writeHubInfo } from "./sidecar_files.ts";

export type { HubSession } from "./routes.ts";
export { hubToken } from "./sidecar_files.ts";

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

/** Starts the hub. */
export function startHub(o: HubOptions): Hub {
  const now = o.now ?? (() => new Date());
  const token = hubToken(o.stateDir);
  const store = Store.open(o.stateDir);
  const conns = connections({
    store,
    token,
    now,
    ackTimeoutMs: o.ackTimeoutMs ?? 5000,
    pingMs: o.pingMs ?? 10_000,
  });
  let port = 0;
  let closing = false;

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

  const handler = hubHandler({
    store,
    connections: conns,
    token,
    port: () => port,
    now,
    queueTtlMs: o.queueTtlMs ?? 86_400_000,
    queueCap: o.queueCap ?? 100,
    staleBusyMs: (o.staleBusySeconds ?? 1800) * 1000,
    alive: o.alive ?? ((pid: number, startedAt: string) => processAlive(pid, startedAt)),
  });
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: o.port, signal: ac.signal, onListen: () => {} },
    handler,
  );
  port = server.addr.port;
  const url = `http://127.0.0.1:${port}`;
  writeHubInfo(o.stateDir, { url, pid: Deno.pid, started_at: now().toISOString() });
  return {
    url,
    port,
    token,
    connected: () => conns.sessionIds(),
    drop: (sessionId) => conns.drop(sessionId),
    async close() {
      closing = true;
      conns.close();
      if (flusher !== undefined) clearInterval(flusher);
      ac.abort();
      await server.finished;
      removeHubInfo(o.stateDir);
      store.close();
    },
  };
}
