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
import { makeScrubber, type TextMode } from "../lifecycle/scrub.ts";
import { messaging } from "./messages.ts";
import { type AppServerLink, type AppServerLinkOptions, startAppServerLink } from "./app_server_link.ts";

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
  /**
   * The app-server daemon's socket (`$CODEX_HOME/app-server-control/app-server-control.sock`):
   * when given, the hub reads the daemon and delivers through it; it waits for a socket that
   * does not exist yet. `bridge` overrides the bridge's ports (tests).
   */
  appServer?: { socketPath: string; bridge?: AppServerLinkOptions["bridge"] } | undefined;
  /** How stored text is scrubbed (default `scrubbed`) and the home folder paths are shown under. */
  textMode?: TextMode;
  home?: string | undefined;
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
  /** The app-server link, when the hub was given a socket. */
  appServer?: AppServerLink | undefined;
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

  const scrubber = makeScrubber(o.textMode ?? "scrubbed", o.home);
  let refresh = () => {};
  const appServer = o.appServer
    ? startAppServerLink({
      store,
      socketPath: o.appServer.socketPath,
      scrubber,
      bridge: o.appServer.bridge,
      onRecorded: () => refresh(),
    })
    : undefined;
  const messages = messaging({
    store,
    now,
    scrubber,
    sidecars: conns,
    appServer,
    queueTtlMs: o.queueTtlMs ?? 86_400_000,
    queueCap: o.queueCap ?? 100,
    spawnSocket: () => (appServer?.connected ? o.appServer?.socketPath : undefined),
  });
  refresh = () => messages.refresh();
  // Asks answered at hook points and asks that time out are noticed without a request.
  const refresher = setInterval(() => {
    if (closing) return;
    messages.refresh();
    void messages.flushQueued();
  }, 1000);
  const handler = hubHandler({
    messages,
    appServer,
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
    appServer,
    async close() {
      closing = true;
      clearInterval(refresher);
      await appServer?.stop();
      conns.close();
      if (flusher !== undefined) clearInterval(flusher);
      ac.abort();
      await server.finished;
      removeHubInfo(o.stateDir);
      store.close();
    },
  };
}
