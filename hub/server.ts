/**
 * The hub: a small HTTP + WebSocket server on 127.0.0.1 that shows sessions
 * and delivers messages to them through each session's sidecar. This file
 * starts and stops it; the routes are in `hub/routes.ts`, the token and
 * Origin checks in `hub/auth.ts`, the sidecar connections in
 * `hub/connections.ts`, the files it shares with sidecars and hooks
 * (`hub.json`, `hub.token`) in `hub/sidecar_files.ts`.
 *
 * Connections come in through `hub/front_door.ts` (a capped accept loop that
 * survives running out of file descriptors), which relays them to the HTTP
 * server on a Unix socket in a private temporary folder.
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
import { defaultMaxConnections, frontDoor } from "./front_door.ts";
import { hubInfoPath, hubToken, removeOwnHubInfo, writeHubInfo } from "./sidecar_files.ts";
import { makeScrubber, type TextMode } from "../lifecycle/scrub.ts";
import { messaging } from "./messages.ts";
import { type AppServerLink, type AppServerLinkOptions, startAppServerLink } from "./app_server_link.ts";
import type { ExecSpawnOptions } from "./spawn_exec.ts";

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
  /** At most this many connections at once (default 256, less under a low open-file limit). */
  maxConnections?: number;
  /** A connection that sends nothing this long is closed (default 10 s). */
  firstByteMs?: number;
  /** A WebSocket that has not authenticated this long after it opened is closed (default 5 s). */
  authTimeoutMs?: number;
  /** One line per connection, message and trouble, for the hub's terminal; never secrets (default: none). */
  log?: (line: string) => void;
  /**
   * The app-server daemon's socket (`$CODEX_HOME/app-server-control/app-server-control.sock`):
   * when given, the hub reads the daemon and delivers through it; it waits for a socket that
   * does not exist yet. `bridge` overrides the bridge's ports (tests).
   */
  appServer?: { socketPath: string; bridge?: AppServerLinkOptions["bridge"] } | undefined;
  /** How stored text is scrubbed (default `scrubbed`) and the home folder paths are shown under. */
  textMode?: TextMode;
  home?: string | undefined;
  /**
   * How `POST /sessions` starts a background `codex exec` when no daemon runs (the binary, the
   * child's extra environment); without it, spawning needs the daemon.
   */
  codex?: Omit<ExecSpawnOptions, "stateDir" | "log"> | undefined;
}

/** How often the hub touches `hub.json`, so that hooks can tell a live hub from a stale file. */
export const HUB_BEAT_MS = 5000;

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
  const log = o.log ?? (() => {});
  const store = Store.open(o.stateDir);
  privateWal(o.stateDir);
  const pingMs = o.pingMs ?? 10_000;
  let port = 0;
  const conns = connections({
    store,
    token,
    now,
    ackTimeoutMs: o.ackTimeoutMs ?? 5000,
    pingMs,
    authTimeoutMs: o.authTimeoutMs ?? 5000,
    port: () => port,
    log,
  });
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
    spawnExec: o.codex ? { ...o.codex, stateDir: o.stateDir, log } : undefined,
  });
  refresh = () => messages.refresh();
  // Asks answered at hook points and asks that time out are noticed without a request.
  const refresher = setInterval(() => {
    if (closing) return;
    messages.refresh();
    void messages.flushQueued();
  }, 1000);
  const routes = hubHandler({
    messages,
    appServer,
    stateDir: o.stateDir,
    store,
    connections: conns,
    token,
    port: () => port,
    now,
    queueTtlMs: o.queueTtlMs ?? 86_400_000,
    queueCap: o.queueCap ?? 100,
    staleBusyMs: (o.staleBusySeconds ?? 1800) * 1000,
    alive: o.alive ?? ((pid: number, startedAt: string) => processAlive(pid, startedAt)),
    log,
  });
  const ac = new AbortController();
  // The socket lives in the state dir (the hub's own, created 0700; the hub may write there anyway),
  // or in a private temp dir when that path is too long for a Unix socket. Only the front door uses it.
  const inState = `${o.stateDir}/hub-${Deno.pid}.sock`;
  const sockDir = new TextEncoder().encode(inState).length <= 100
    ? undefined
    : Deno.makeTempDirSync({ prefix: "lifeline-hub-" });
  const sock = sockDir ? `${sockDir}/http.sock` : inState;
  const removeSock = () => {
    try {
      if (sockDir) Deno.removeSync(sockDir, { recursive: true });
      else Deno.removeSync(sock);
    } catch { /* gone */ }
  };
  let server!: Deno.HttpServer;
  const serve = () => {
    try {
      Deno.removeSync(sock);
    } catch { /* first start */ }
    server = Deno.serve({
      path: sock,
      signal: ac.signal,
      onListen: () => {
        try {
          Deno.chmodSync(sock, 0o600);
        } catch { /* best effort: the folder is private anyway */ }
      },
      onError: (e) => {
        log(`error answering a request: ${(e as Error)?.message ?? e}`);
        return new Response(JSON.stringify({ error: "internal error" }), { status: 500 });
      },
    }, routes.handle);
    server.finished.catch((e) => {
      if (closing) return;
      log(`the HTTP server stopped (${(e as Error).message}); restarting it`);
      setTimeout(() => !closing && serve(), 100);
    });
  };
  serve();
  let door;
  try {
    door = frontDoor({
      hostname: "127.0.0.1",
      port: o.port,
      upstream: sock,
      maxConnections: o.maxConnections ?? defaultMaxConnections(),
      firstByteMs: o.firstByteMs ?? 10_000,
      idleMs: Math.max(60_000, pingMs * 3),
      log,
    });
  } catch (e) {
    closing = true;
    ac.abort();
    routes.updates.close();
    conns.close();
    if (flusher !== undefined) clearInterval(flusher);
    store.close();
    removeSock();
    throw e;
  }
  port = door.port;
  const url = `http://127.0.0.1:${port}`;
  const info = { url, pid: Deno.pid, started_at: now().toISOString() };
  writeHubInfo(o.stateDir, info);
  const beat = setInterval(() => {
    try {
      const t = new Date();
      Deno.utimeSync(hubInfoPath(o.stateDir), t, t);
    } catch {
      try {
        writeHubInfo(o.stateDir, info); // removed under us: the hub still runs
      } catch { /* the state dir is gone */ }
    }
  }, HUB_BEAT_MS);
  return {
    url,
    port,
    token,
    connected: () => conns.sessionIds(),
    drop: (sessionId) => conns.drop(sessionId),
    appServer,
    async close() {
      closing = true;
      clearInterval(beat);
      removeOwnHubInfo(o.stateDir, url);
      door.close();
      routes.updates.close();
      clearInterval(refresher);
      await appServer?.stop();
      conns.close();
      if (flusher !== undefined) clearInterval(flusher);
      ac.abort();
      await server.finished.catch(() => {});
      removeSock();
      store.close();
    },
  };
}

/**
 * SQLite creates `-wal` and `-shm` with the database file's mode at that moment, which for a fresh
 * store is the umask's (often 0644) until the store narrows it; narrow them too.
 */
function privateWal(stateDir: string): void {
  for (const f of ["lifeline.db-wal", "lifeline.db-shm"]) {
    try {
      const p = `${stateDir}/${f}`;
      if ((Deno.statSync(p).mode ?? 0) & 0o077) Deno.chmodSync(p, 0o600);
    } catch { /* not there */ }
  }
}
