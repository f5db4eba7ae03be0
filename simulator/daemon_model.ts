/**
 * The state of a stand-in Codex app-server daemon, as plain data: which
 * threads it has loaded (and their status and preview), the last turn of
 * each, and answers scripted from a recording. It answers the requests
 * lifeline's bridge sends (`initialize`, `thread/loaded/list`, `thread/read`,
 * `thread/resume`, `thread/turns/list`, `thread/unsubscribe`, `turn/start`,
 * `turn/steer`) the way the real daemon did in the recordings, and learns
 * from every notification it is told to send, so that a link that drops and
 * comes back reconciles against what the daemon would know by then.
 *
 * A *barrier* is a notification about a thread nobody knows: the bridge
 * handles notifications one at a time, in order, and asks `thread/read` for
 * an unknown thread, so that request proves it has handled everything sent
 * before. The thread it reads is ephemeral, which lifeline never makes a session.
 *
 * @module
 */

import { isObject, type JsonObject } from "../codex/json.ts";

/** An answer to one request: a `result`, or a JSON-RPC `error`. */
export type DaemonAnswer = { result: unknown } | { error: { code: number; message: string } };

/** A notification as it goes over the socket. */
export interface DaemonNotification {
  method: string;
  params: JsonObject;
  emittedAtMs?: number;
}

/** Options of {@link DaemonModel}. */
export interface DaemonModelOptions {
  userAgent?: string;
  codexHome?: string;
  /** The daemon's clock for `emittedAtMs` (epoch ms); default the real one. */
  now?: () => number;
}

const BARRIER_PREFIX = "lifeline-sim-barrier-";

const notFound = (what: string): DaemonAnswer => ({ error: { code: -32600, message: what } });

/** One daemon's state. */
export class DaemonModel {
  /** Loaded threads by id, as `thread/read` shows them. */
  readonly threads = new Map<string, JsonObject>();
  /** The last turn of each thread (running or not). */
  readonly turns = new Map<string, JsonObject>();
  readonly #scripted = new Map<string, DaemonAnswer[]>();
  readonly #barriers = new Map<string, () => void>();
  #barrierCount = 0;
  #turnCount = 0;

  constructor(readonly o: DaemonModelOptions = {}) {}

  /** The next request of `method` gets `answer` (recorded answers are used once each, in order). */
  script(method: string, answer: DaemonAnswer): void {
    const q = this.#scripted.get(method) ?? [];
    q.push(answer);
    this.#scripted.set(method, q);
  }

  /** Loads a thread (as if it was running before anyone connected). */
  load(thread: JsonObject): void {
    const id = String(thread.id);
    this.threads.set(id, {
      sessionId: id,
      ephemeral: false,
      preview: "",
      status: { type: "idle" },
      ...thread,
    });
  }

  /** Drops every thread and turn (the daemon exited). */
  reset(): void {
    this.threads.clear();
    this.turns.clear();
  }

  /** Learns from a notification; returns it as sent, stamped with `emittedAtMs`. */
  notify(n: DaemonNotification): DaemonNotification {
    const p = n.params;
    const threadId = typeof p.threadId === "string" ? p.threadId : undefined;
    const thread = threadId ? this.threads.get(threadId) : undefined;
    switch (n.method) {
      case "thread/started":
        if (isObject(p.thread)) this.load(p.thread);
        break;
      case "thread/status/changed":
        if (thread && isObject(p.status)) thread.status = p.status;
        break;
      case "thread/closed":
        if (threadId) {
          this.threads.delete(threadId);
          this.turns.delete(threadId);
        }
        break;
      case "turn/started":
      case "turn/completed":
        if (threadId && isObject(p.turn)) this.turns.set(threadId, p.turn);
        break;
      case "item/completed": {
        // The daemon's preview is the thread's first user message: after it, the thread has had a turn.
        const item = p.item;
        if (thread && thread.preview === "" && isObject(item) && item.type === "userMessage") {
          const first = Array.isArray(item.content) ? item.content[0] : undefined;
          thread.preview = isObject(first) && typeof first.text === "string" ? first.text : "(message)";
        }
        break;
      }
    }
    return { method: n.method, params: p, emittedAtMs: n.emittedAtMs ?? (this.o.now ?? Date.now)() };
  }

  /** A barrier: the notification to send, and a promise that resolves once the bridge has reached it. */
  barrier(): { notification: DaemonNotification; reached: Promise<void> } {
    const threadId = `${BARRIER_PREFIX}${++this.#barrierCount}`;
    const reached = new Promise<void>((resolve) => this.#barriers.set(threadId, resolve));
    return {
      notification: { method: "thread/status/changed", params: { threadId, status: { type: "idle" } } },
      reached,
    };
  }

  /** Answers one request. */
  answer(method: string, params: JsonObject): DaemonAnswer {
    const threadId = typeof params.threadId === "string" ? params.threadId : "";
    const barrier = this.#barriers.get(threadId);
    if (barrier && method === "thread/read") {
      this.#barriers.delete(threadId);
      barrier();
      return { result: { thread: { id: threadId, sessionId: threadId, ephemeral: true, preview: "" } } };
    }
    const scripted = this.#scripted.get(method)?.shift();
    if (scripted) {
      this.#learnAnswer(method, threadId, scripted);
      return scripted;
    }
    const thread = this.threads.get(threadId);
    switch (method) {
      case "initialize":
        return {
          result: {
            userAgent: this.o.userAgent ?? "lifeline-simulator/0.169.0",
            codexHome: this.o.codexHome ?? "/codex",
            platformFamily: "unix",
            platformOs: "linux",
          },
        };
      case "thread/loaded/list":
        return { result: { data: [...this.threads.keys()], nextCursor: null } };
      case "thread/read":
      case "thread/resume":
        return thread ? { result: { thread } } : notFound(`thread not loaded: ${threadId}`);
      case "thread/turns/list": {
        const turn = this.turns.get(threadId);
        return { result: { data: turn ? [turn] : [], nextCursor: null } };
      }
      case "thread/unsubscribe":
        return { result: { status: thread ? "unsubscribed" : "notSubscribed" } };
      case "turn/start": {
        if (!thread) return notFound(`thread not loaded: ${threadId}`);
        const turn = { id: `sim-turn-${++this.#turnCount}`, items: [], status: "inProgress", error: null };
        const answer = { result: { turn } };
        this.#learnAnswer(method, threadId, answer);
        return answer;
      }
      case "turn/steer": {
        const turn = this.turns.get(threadId);
        if (!turn || turn.status !== "inProgress") return notFound("no active turn to steer");
        if (params.expectedTurnId !== turn.id) {
          return notFound(
            `expected active turn id \`${String(params.expectedTurnId)}\` but found \`${String(turn.id)}\``,
          );
        }
        return { result: { turnId: turn.id } };
      }
    }
    return { error: { code: -32601, message: `method not found: ${method}` } };
  }

  /** A `turn/start` answer names the thread's running turn. */
  #learnAnswer(method: string, threadId: string, a: DaemonAnswer): void {
    if (method !== "turn/start" || !("result" in a) || !isObject(a.result)) return;
    const turn = a.result.turn;
    if (isObject(turn) && threadId) this.turns.set(threadId, turn);
  }
}
