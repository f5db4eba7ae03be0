/**
 * What lifeline learns from Codex's app-server daemon, as plain data: the
 * *app-server observations*. {@link AppServerTracker} turns parsed
 * notifications (and the threads a reconcile reads) into them, keeping the
 * little state that needs: which threads are ephemeral (internal title
 * threads, never sessions), which have had a turn, and the running turn of
 * each thread (for delivery). It does no I/O; the hub's bridge feeds it.
 *
 * A manual compaction (`/compact` in the TUI, `thread/compact/start`) runs in
 * the daemon as a turn of its own: busy, `turn/started`, one `contextCompaction`
 * item, token updates, idle, `turn/completed`, and no prompt (measured on
 * 0.169.0). The hooks see it as PreCompact/PostCompact outside any turn, and it
 * is no turn to lifeline either: a turn's start (and what comes with it) is held
 * back until its first item shows which it is. Any item but a compaction makes
 * it a turn; a turn whose only items are compactions is dropped at its end,
 * except the hook runs it reported. A turn with no item at all is a turn.
 *
 * A transport event says only whether lifeline can hear the daemon: a drop
 * never changes a session's status.
 *
 * @module
 */

import type { ServerNotification, ThreadInfo, TokenBreakdown } from "../codex/app_server/protocol.ts";

/** The `source` of every app-server observation. */
export const APP_SERVER_SOURCE = "app-server";

interface Base {
  source: typeof APP_SERVER_SOURCE;
  /** Epoch ms, from the bridge's clock (or the notification's `emittedAtMs`). */
  at: number;
}

/** A session's turn state as the daemon shows it. */
export type AppServerTurnState = "pending_first_turn" | "idle" | "working";

/** How a turn ended. */
export type AppServerTurnOutcome = "completed" | "interrupted" | "failed";

/** One app-server observation. */
export type AppServerObservation =
  | Base & { kind: "transport"; state: "up" | "down"; socketPath: string; detail: string | null }
  | Base & {
    kind: "session_seen";
    threadId: string;
    sessionId: string;
    cwd: string | null;
    model: string | null;
    turnState: AppServerTurnState;
    /** How lifeline learnt of it. */
    via: "thread/started" | "thread/loaded/list";
  }
  | Base & { kind: "activity"; threadId: string; state: "busy" | "idle"; flags: string[] }
  | Base & { kind: "turn_started"; threadId: string; turnId: string }
  | Base & {
    kind: "turn_ended";
    threadId: string;
    turnId: string;
    outcome: AppServerTurnOutcome;
    /** Set for failed (and some interrupted) turns: the message and the error class. */
    error: { message: string; errorClass: string | null } | null;
    durationMs: number | null;
    lastAssistantMessage: string | null;
  }
  | Base & {
    kind: "tool_invocation";
    threadId: string;
    turnId: string;
    itemId: string;
    command: string;
    /** `completed`, `failed`, `declined`, … */
    status: string;
    exitCode: number | null;
    durationMs: number | null;
  }
  | Base & {
    kind: "tokens";
    threadId: string;
    turnId: string;
    total: TokenBreakdown;
    last: TokenBreakdown;
    modelContextWindow: number | null;
  }
  | Base & { kind: "offline"; threadId: string; reason: "thread_closed" }
  | Base & {
    kind: "hook_ran";
    threadId: string;
    turnId: string | null;
    phase: "started" | "completed";
    /** Codex's camelCase event name (`userPromptSubmit`, `stop`, …). */
    event: string;
    status: string;
    runId: string;
    sourcePath: string | null;
  };

/** What the tracker knows of one thread. */
export interface TrackedThread {
  busy: boolean;
  /** The turn running now, when known. */
  turnId: string | null;
  /** Whether the thread has had (or is having) a turn. */
  prompted: boolean;
}

/** A turn whose first item has not come yet: what it said so far, held back. */
interface HeldTurn {
  turnId: string;
  held: AppServerObservation[];
  /** A `contextCompaction` item completed in it, and nothing else yet. */
  compaction: boolean;
}

function turnState(thread: ThreadInfo, prompted: boolean): AppServerTurnState {
  if (thread.status?.type === "active") return "working";
  return prompted || thread.preview !== "" ? "idle" : "pending_first_turn";
}

function outcome(status: string): AppServerTurnOutcome {
  if (status === "completed" || status === "interrupted") return status;
  // "failed", and any status a later Codex adds: not a clean completion.
  return "failed";
}

/** Turns app-server input into observations; one tracker per daemon. */
export class AppServerTracker {
  readonly #ephemeral = new Set<string>();
  readonly #threads = new Map<string, TrackedThread>();
  readonly #held = new Map<string, HeldTurn>();

  /** The tracked state of a thread, or `undefined` (unknown or ephemeral). */
  thread(threadId: string): Readonly<TrackedThread> | undefined {
    return this.#threads.get(threadId);
  }

  /** Whether a thread is known to be ephemeral. */
  isEphemeral(threadId: string): boolean {
    return this.#ephemeral.has(threadId);
  }

  /** The non-ephemeral threads tracked. */
  threadIds(): string[] {
    return [...this.#threads.keys()];
  }

  #track(threadId: string): TrackedThread {
    let t = this.#threads.get(threadId);
    if (!t) this.#threads.set(threadId, t = { busy: false, turnId: null, prompted: false });
    return t;
  }

  /** A thread read at reconcile (`thread/read`) or announced by `thread/started`. */
  seen(thread: ThreadInfo, at: number, via: "thread/started" | "thread/loaded/list"): AppServerObservation[] {
    if (thread.ephemeral) {
      this.#ephemeral.add(thread.id);
      this.#threads.delete(thread.id);
      return [];
    }
    const t = this.#track(thread.id);
    t.busy = thread.status?.type === "active";
    t.prompted ||= thread.preview !== "";
    return [{
      source: APP_SERVER_SOURCE,
      at,
      kind: "session_seen",
      threadId: thread.id,
      sessionId: thread.sessionId,
      cwd: thread.cwd,
      model: thread.model,
      turnState: turnState(thread, t.prompted),
      via,
    }];
  }

  /** A link to the daemon came up or went down: no session changes. */
  transport(
    state: "up" | "down",
    socketPath: string,
    at: number,
    detail: string | null = null,
  ): AppServerObservation {
    return { source: APP_SERVER_SOURCE, at, kind: "transport", state, socketPath, detail };
  }

  /**
   * What is held back, given up now (the link went down, so the turn's first item may never
   * come on it): every held turn counts as a turn, unless a compaction is all it showed.
   */
  release(): AppServerObservation[] {
    const out = [...this.#held.values()].flatMap((h) =>
      h.compaction ? h.held.filter((o) => o.kind === "hook_ran") : h.held
    );
    this.#held.clear();
    return out;
  }

  /** One notification; those about ephemeral threads give nothing. */
  apply(n: ServerNotification, at: number): AppServerObservation[] {
    const out = this.#observe(n, at);
    if (n.method === "thread/started" || n.method === "serverRequest/resolved") return out;
    if (this.#ephemeral.has(n.threadId)) return out;
    const hold = this.#held.get(n.threadId);
    if (n.method === "turn/started") {
      if (hold?.turnId === n.turn.id) return []; // told twice (a reconcile): still held
      this.#held.set(n.threadId, { turnId: n.turn.id, held: out, compaction: false });
      // Another turn starts while one is held: that one had no item, so it was a turn.
      return hold && !hold.compaction ? hold.held : [];
    }
    if (!hold) return out;
    const release = (): AppServerObservation[] => {
      this.#held.delete(n.threadId);
      return [...hold.held, ...out];
    };
    switch (n.method) {
      case "item/completed":
        if (n.turnId !== hold.turnId) return out;
        if (n.item.type === "other" && n.item.itemType === "contextCompaction") {
          hold.compaction = true;
          return [];
        }
        return release();
      case "turn/completed":
        if (n.turn.id !== hold.turnId) return out;
        if (!hold.compaction) return release();
        this.#held.delete(n.threadId);
        return hold.held.filter((o) => o.kind === "hook_ran");
      case "thread/tokenUsage/updated":
      case "hook/started":
      case "hook/completed":
        if (n.turnId !== hold.turnId) return out;
        hold.held.push(...out);
        return [];
      case "thread/closed":
        this.#held.delete(n.threadId);
        return hold.compaction ? out : [...hold.held, ...out];
      default:
        return out;
    }
  }

  #observe(n: ServerNotification, at: number): AppServerObservation[] {
    if (n.method === "thread/started") return this.seen(n.thread, at, "thread/started");
    if (n.method === "serverRequest/resolved") return [];
    if (this.#ephemeral.has(n.threadId)) {
      if (n.method === "thread/closed") this.#ephemeral.delete(n.threadId);
      return [];
    }
    const base = { source: APP_SERVER_SOURCE, at, threadId: n.threadId } as const;
    switch (n.method) {
      case "thread/status/changed": {
        // notLoaded comes just before thread/closed, which says what it means.
        if (n.status.type === "notLoaded") return [];
        const t = this.#track(n.threadId);
        const busy = n.status.type === "active";
        t.busy = busy;
        if (!busy) t.turnId = null;
        const flags = n.status.type === "active" ? n.status.activeFlags : [];
        return [{ ...base, kind: "activity", state: busy ? "busy" : "idle", flags }];
      }
      case "thread/closed":
        this.#threads.delete(n.threadId);
        return [{ ...base, kind: "offline", reason: "thread_closed" }];
      case "turn/started": {
        const t = this.#track(n.threadId);
        // A compaction turn (below) needs an earlier prompt, so a started turn means one was given.
        Object.assign(t, { busy: true, turnId: n.turn.id, prompted: true });
        return [{ ...base, kind: "turn_started", turnId: n.turn.id }];
      }
      case "turn/completed": {
        const t = this.#track(n.threadId);
        if (t.turnId === n.turn.id) t.turnId = null;
        t.prompted = true;
        const error = n.turn.error
          ? { message: n.turn.error.message, errorClass: n.turn.error.errorClass }
          : null;
        return [{
          ...base,
          kind: "turn_ended",
          turnId: n.turn.id,
          outcome: outcome(n.turn.status),
          error,
          durationMs: n.turn.durationMs,
          lastAssistantMessage: n.turn.lastAgentMessage,
        }];
      }
      case "item/completed": {
        if (n.item.type !== "commandExecution") return [];
        const { id, command, status, exitCode, durationMs } = n.item;
        return [{
          ...base,
          kind: "tool_invocation",
          turnId: n.turnId,
          itemId: id,
          command,
          status,
          exitCode,
          durationMs,
        }];
      }
      case "thread/tokenUsage/updated":
        return [{
          ...base,
          kind: "tokens",
          turnId: n.turnId,
          total: n.total,
          last: n.last,
          modelContextWindow: n.modelContextWindow,
        }];
      case "hook/started":
      case "hook/completed":
        return [{
          ...base,
          kind: "hook_ran",
          turnId: n.turnId,
          phase: n.method === "hook/started" ? "started" : "completed",
          event: n.run.eventName,
          status: n.run.status,
          runId: n.run.id,
          sourcePath: n.run.sourcePath,
        }];
    }
  }
}
