/**
 * The hub's side of the app-server bridge: starts it when the daemon's
 * socket exists (and notices one that starts later; the bridge polls the
 * path and reconnects with backoff), journals what it observes through the
 * same reducer as the hooks (`source: "app-server"`), and tells which
 * sessions a daemon has, so that the message API can deliver through it.
 *
 * A dropped link changes `transport` only: the journal gets no event for it.
 *
 * @module
 */

import type { Store } from "../lifecycle/store/mod.ts";
import type { Observation } from "../lifecycle/model.ts";
import type { Scrubber } from "../lifecycle/scrub.ts";
import { observeAppServer } from "../lifecycle/app_server_observe.ts";
import type { AppServerObservation } from "../lifecycle/app_server_observations.ts";
import {
  type AppServerBridge,
  type BridgeOptions,
  type Delivery,
  startAppServerBridge,
} from "./app_server/bridge.ts";
import type { MessageMeta } from "./app_server/frame.ts";

/** What the hub knows of the daemon. */
export interface AppServerLink {
  /** Whether a link is up and the daemon has this session's thread loaded. */
  has(sessionId: string): boolean;
  /** Delivers framed text to the session's thread (`turn/start` idle, `turn/steer` running). */
  deliver(sessionId: string, text: string, meta: MessageMeta): Promise<Delivery>;
  /** Whether the link is up. */
  readonly connected: boolean;
  /** Resolves once the link is up and reconciled. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startAppServerLink}. */
export interface AppServerLinkOptions {
  store: Store;
  socketPath: string;
  scrubber: Scrubber;
  /** Called after each journaled observation (the message API resolves asks with it). */
  onRecorded?: (obs: Observation) => void;
  log?: (line: string) => void;
  /** For tests: the bridge's own ports. */
  bridge?: Partial<Omit<BridgeOptions, "socketPath" | "sink">> | undefined;
}

/** Starts the bridge and journals its observations. */
export function startAppServerLink(o: AppServerLinkOptions): AppServerLink {
  /** Thread → session (they are equal for the TUI's threads; `thread.sessionId` says so). */
  const sessionOf = new Map<string, string>();
  const threadOf = new Map<string, string>();
  const log = o.log ?? o.bridge?.log ?? (() => {});
  const sink = (a: AppServerObservation) => {
    if (a.kind === "session_seen") {
      sessionOf.set(a.threadId, a.sessionId);
      threadOf.set(a.sessionId, a.threadId);
    }
    const threadId = a.kind === "transport" ? null : a.threadId;
    const obs = observeAppServer(a, threadId ? sessionOf.get(threadId) ?? threadId : "", o.scrubber);
    if (!obs) return;
    try {
      o.store.record(obs);
    } catch (e) {
      log(`Cannot record an app-server observation (${obs.event}): ${(e as Error).message}`);
      return;
    }
    o.onRecorded?.(obs);
  };
  const bridge: AppServerBridge = startAppServerBridge({ ...o.bridge, socketPath: o.socketPath, sink, log });
  const thread = (sessionId: string) => threadOf.get(sessionId) ?? sessionId;
  return {
    has: (sessionId) => bridge.connected && bridge.tracker.thread(thread(sessionId)) !== undefined,
    deliver: (sessionId, text, meta) => bridge.deliver(thread(sessionId), text, meta),
    get connected() {
      return bridge.connected;
    },
    ready: () => bridge.ready(),
    stop: () => bridge.stop(),
  };
}
