/**
 * A JSON-RPC 2.0 client for Codex's app-server daemon, over WebSocket over
 * its Unix socket (`ws+unix://<path>:/` with the npm `ws` package).
 *
 * Read-only by design: the daemon sends requests (approvals, user input) to
 * every connection subscribed to a thread, with the same id; the first
 * answer wins and the others get `serverRequest/resolved`. So this client
 * never answers a server request — the TUI or whoever started the turn does
 * — and hands them to an optional listener only for logging.
 *
 * @module
 */

// @ts-types="@types/ws"
import { WebSocket } from "ws";
import {
  parseServerMessage,
  type RequestId,
  type RpcErrorBody,
  type ServerNotification,
} from "../../codex/app_server/protocol.ts";
import {
  initializeRequest,
  type InitializeResult,
  NOISY_NOTIFICATIONS,
  parseInitializeResult,
} from "../../codex/app_server/requests.ts";

/** The daemon answered a request with a JSON-RPC error. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(readonly method: string, body: RpcErrorBody) {
    super(`App-server request "${method}" failed: ${body.message} (code ${body.code})`);
    this.name = "RpcError";
    this.code = body.code;
    this.data = body.data;
  }
}

/** The link to the daemon is gone, or a request timed out. */
export class AppServerLinkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppServerLinkError";
  }
}

/** A notification with the daemon's `emittedAtMs`, when it sent one. */
export interface NotificationEvent {
  notification: ServerNotification;
  emittedAtMs: number | null;
}

/** A request the daemon sent to this client; never answered. */
export interface ServerRequestEvent {
  id: RequestId;
  method: string;
  params: unknown;
}

/** An open, initialized connection. */
export interface AppServerClient {
  readonly socketPath: string;
  readonly info: InitializeResult;
  /** Sends a request and resolves with its `result`; rejects with {@link RpcError} or {@link AppServerLinkError}. */
  request(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
  /** Calls `listener` for each notification lifeline reads; returns the unsubscribe function. */
  onNotification(listener: (event: NotificationEvent) => void): () => void;
  /** Calls `listener` for each server request (for logging only). */
  onServerRequest(listener: (event: ServerRequestEvent) => void): () => void;
  /** The notifications, as an async iterable that ends when the link closes. */
  notifications(): AsyncIterableIterator<NotificationEvent>;
  /** Resolves once the link is closed, with the reason. */
  readonly closed: Promise<string>;
  close(): void;
}

/** Options for {@link connectAppServer}. */
export interface ConnectOptions {
  clientName?: string;
  clientVersion: string;
  /** Timeout of each request, `initialize` included (default 10 s). */
  timeoutMs?: number;
  /** Notification methods the daemon must not send (default: {@link NOISY_NOTIFICATIONS}). */
  optOut?: readonly string[];
  /** Sees every raw message, both ways (the recorder uses it). */
  tap?: (direction: "send" | "recv", text: string) => void;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The URL the `ws` package understands for a WebSocket over a Unix socket. */
export function unixSocketUrl(socketPath: string): string {
  return `ws+unix://${socketPath}:/`;
}

/** Opens the socket, sends `initialize` then `initialized`, and returns the client. */
export async function connectAppServer(socketPath: string, opts: ConnectOptions): Promise<AppServerClient> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ws = new WebSocket(unixSocketUrl(socketPath));
  const pending = new Map<RequestId, Pending>();
  const noteListeners = new Set<(e: NotificationEvent) => void>();
  const requestListeners = new Set<(e: ServerRequestEvent) => void>();
  let nextId = 1;
  let closedReason: string | undefined;
  let markClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (markClosed = resolve));

  const finish = (reason: string) => {
    if (closedReason !== undefined) return;
    closedReason = reason;
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new AppServerLinkError(`App-server link closed during "${p.method}": ${reason}`));
    }
    pending.clear();
    markClosed(reason);
  };

  ws.on("message", (data: unknown) => {
    const text = String(data);
    opts.tap?.("recv", text);
    const msg = parseServerMessage(text);
    if (msg.kind === "response" || msg.kind === "error") {
      const p = msg.id === null ? undefined : pending.get(msg.id);
      if (!p || msg.id === null) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.kind === "response") p.resolve(msg.result);
      else p.reject(new RpcError(p.method, msg.error));
    } else if (msg.kind === "notification") {
      const event = { notification: msg.notification, emittedAtMs: msg.emittedAtMs };
      for (const l of noteListeners) l(event);
    } else if (msg.kind === "request") {
      // Never answered: see the module doc.
      for (const l of requestListeners) l({ id: msg.id, method: msg.method, params: msg.params });
    }
    // "ignored" and "invalid" messages are dropped: the protocol grows every release.
  });
  ws.on(
    "close",
    (code: number, reason: unknown) => finish(`closed (code ${code}${reason ? `, ${reason}` : ""})`),
  );
  ws.on("error", (err: Error) => finish(`error: ${err.message}`));

  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    closed.then((reason) =>
      reject(new AppServerLinkError(`Cannot connect to the app-server at "${socketPath}": ${reason}`))
    );
  });

  const send = (msg: Record<string, unknown>) => {
    const text = JSON.stringify({ jsonrpc: "2.0", ...msg });
    opts.tap?.("send", text);
    ws.send(text);
  };

  const request = (method: string, params: Record<string, unknown>, ms = timeoutMs): Promise<unknown> => {
    if (closedReason !== undefined) {
      return Promise.reject(new AppServerLinkError(`App-server link is closed: ${closedReason}`));
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new AppServerLinkError(`App-server request "${method}" timed out after ${ms} ms`));
      }, ms);
      pending.set(id, { method, resolve, reject, timer });
      send({ id, method, params });
    });
  };

  const close = () => {
    if (closedReason === undefined) ws.close();
  };

  let info: InitializeResult | undefined;
  try {
    const init = initializeRequest(
      opts.clientName ?? "lifeline",
      opts.clientVersion,
      opts.optOut ?? NOISY_NOTIFICATIONS,
    );
    info = parseInitializeResult(await request(init.method, init.params));
    if (!info) {
      throw new AppServerLinkError(`Cannot initialize the app-server at "${socketPath}": no "userAgent"`);
    }
    send({ method: "initialized" });
  } catch (e) {
    close();
    throw e;
  }

  const onNotification = (listener: (event: NotificationEvent) => void) => {
    noteListeners.add(listener);
    return () => void noteListeners.delete(listener);
  };

  return {
    socketPath,
    info,
    request,
    onNotification,
    onServerRequest(listener) {
      requestListeners.add(listener);
      return () => void requestListeners.delete(listener);
    },
    notifications() {
      const queue: NotificationEvent[] = [];
      let wake: (() => void) | undefined;
      const off = onNotification((e) => {
        queue.push(e);
        wake?.();
      });
      closed.then(() => wake?.());
      const iterator: AsyncIterableIterator<NotificationEvent> = {
        async next() {
          while (queue.length === 0 && closedReason === undefined) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
          }
          const value = queue.shift();
          if (value) return { value, done: false };
          off();
          return { value: undefined, done: true };
        },
        return() {
          off();
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    closed,
    close,
  };
}
