/**
 * The message API's logic, once, for the HTTP routes and the MCP server:
 * send a `notify` or an `ask` to a session, read a message, answer an ask.
 *
 * - Delivery takes the best channel: the app-server daemon when it has the
 *   session's thread (`turn/start` when idle, `turn/steer` when a turn
 *   runs), else the hook points through the session's sidecar (context at
 *   SessionStart/UserPromptSubmit, a Stop block while a turn runs), else a
 *   `notify` waits in the hub's queue.
 * - The text reaches Codex framed as a message from its sender
 *   (`hub/app_server/frame.ts`), never as a hook failure.
 * - An ask is answered by the final assistant message of the turn it
 *   started or was given in (already scrubbed in the store), or explicitly
 *   by {@link Messaging.reply}; unanswered after `timeout_s` it expires, and
 *   stays answerable.
 * - A session that has ended refuses messages (409), so nothing waits forever.
 *
 * @module
 */

import type { MessageRow, Store } from "../lifecycle/store/mod.ts";
import type { Scrubber } from "../lifecycle/scrub.ts";
import type { Connections } from "./connections.ts";
import type { AppServerLink } from "./app_server_link.ts";
import { frameMessage } from "./app_server/frame.ts";
import { resolveSession } from "./session_ref.ts";
import { spawnSession } from "./spawn.ts";
import type { ExecSpawnOptions } from "./spawn_exec.ts";

/** A JSON answer: an HTTP status and a body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** What the message API needs. */
export interface MessagingDeps {
  store: Store;
  now: () => Date;
  scrubber: Scrubber;
  sidecars: Pick<Connections, "deliver">;
  appServer?: AppServerLink | undefined;
  queueTtlMs: number;
  queueCap: number;
  /** The daemon's socket while the link is up (`POST /sessions` starts sessions in it). */
  spawnSocket?: (() => string | undefined) | undefined;
  /** How `POST /sessions` starts a `codex exec` when there is no daemon (none: it answers 503). */
  spawnExec?: ExecSpawnOptions | undefined;
}

/** The message API. */
export interface Messaging {
  /** `POST /sessions/:id/messages`. */
  send(sessionRef: string, body: unknown): Promise<Answer>;
  /** `POST /sessions`: a new session with a first message. */
  spawn(body: unknown): Promise<Answer>;
  /** `GET /messages/:id`. */
  get(id: string): Answer;
  /** `POST /messages/:id/reply`. */
  reply(id: string, body: unknown): Answer;
  /** A session's messages, newest first, as `GET /messages/:id` shows them. */
  forSession(sessionId: string, limit?: number): MessageView[];
  /** Brings every open message up to date (deliveries at hook points, answers, expiry). */
  refresh(): void;
  /**
   * Hands queued messages to the daemon for the sessions it has now (a daemon that came
   * back after a restart), so that nothing waits for a sidecar that may never come.
   */
  flushQueued(): Promise<number>;
}

/** A message as the API shows it. */
export type MessageView = Omit<MessageRow, "timeout_s">;

/** The default time an ask waits for its answer. */
export const DEFAULT_ASK_TIMEOUT_S = 120;
const MAX_TEXT = 65_536;

const bad = (error: string): Answer => ({ status: 400, body: { error } });

function view(m: MessageRow): MessageView {
  const { timeout_s: _, ...rest } = m;
  return rest;
}

interface SendBody {
  kind: "notify" | "ask";
  text: string;
  from: string;
  timeout_s: number;
}

function parseSend(b: unknown): SendBody | string {
  if (typeof b !== "object" || b === null || Array.isArray(b)) {
    return 'body must be JSON: {"kind":"notify"|"ask","text":"…"}';
  }
  const o = b as Record<string, unknown>;
  if (o.kind !== "notify" && o.kind !== "ask") return 'field "kind" must be "notify" or "ask"';
  if (typeof o.text !== "string" || o.text.trim() === "" || o.text.length > MAX_TEXT) {
    return `field "text" must be a non-empty string of at most ${MAX_TEXT} characters`;
  }
  if (o.from !== undefined && (typeof o.from !== "string" || o.from.length > 200)) {
    return 'field "from" must be a string of at most 200 characters';
  }
  const t = o.timeout_s;
  if (t !== undefined && (typeof t !== "number" || !(t > 0) || t > 86_400)) {
    return 'field "timeout_s" must be a number of seconds above 0 and at most 86400';
  }
  return {
    kind: o.kind,
    text: o.text,
    from: (o.from as string | undefined)?.trim() || "lifeline",
    timeout_s: (t as number | undefined) ?? DEFAULT_ASK_TIMEOUT_S,
  };
}

/** Creates the message API over a store and the two delivery channels. */
export function messaging(d: MessagingDeps): Messaging {
  const { store, now } = d;
  const iso = () => now().toISOString();
  const scrub = (s: string) => d.scrubber.text(s) ?? "";

  /** Queued messages' texts as sent, by id. */
  const unsent = new Map<string, string>();

  /** The turn a hook-path message was given in, once a hook point claimed it. */
  const hookTurn = (m: MessageRow): { delivered: boolean; turnId: string | null } => {
    const del = store.delivery(m.id);
    if (!del || del.status !== "delivered") return { delivered: false, turnId: null };
    const ev = del.delivered_key ? store.event(del.delivered_key) : undefined;
    if (ev?.turn_id) return { delivered: true, turnId: ev.turn_id };
    // Given at SessionStart: the next turn answers it.
    const next = store.turns(m.session_id).find((t) => t.started_at >= (del.delivered_at ?? ""));
    return { delivered: true, turnId: next?.turn_id ?? null };
  };

  /** One message brought up to date; written back when it changed. */
  const resolve = (m: MessageRow): MessageRow => {
    if (m.status === "answered" || m.status === "failed" || m.status === "refused") return m;
    const patch: Partial<MessageRow> = {};
    let turnId = m.turn_id;
    if (m.via === "hook" && turnId === null) {
      const h = hookTurn(m);
      if (h.delivered && m.status === "queued") patch.status = "delivered";
      if (h.turnId) patch.turn_id = turnId = h.turnId;
    }
    if (m.kind === "ask" && turnId) {
      const t = store.turn(m.session_id, turnId);
      const last = t?.last_assistant_message ?? store.turnFacts(m.session_id).get(turnId)?.last_message ??
        null;
      if (t?.outcome === "completed" && last !== null) {
        patch.status = "answered";
        patch.reply = last;
      } else if (t && t.outcome !== "open" && t.outcome !== "completed" && m.status !== "expired") {
        patch.error = `the turn ${turnId} ended ${t.outcome} without an answer`;
      }
    }
    const status = patch.status ?? m.status;
    const deadline = Date.parse(m.created_at) + m.timeout_s * 1000;
    if (m.kind === "ask" && (status === "queued" || status === "delivered") && now().getTime() > deadline) {
      patch.status = "expired";
    }
    if (Object.keys(patch).length === 0) return m;
    return store.updateMessage(m.id, patch, iso()) ?? m;
  };

  const send = async (ref: string, body: unknown): Promise<Answer> => {
    const b = parseSend(body);
    if (typeof b === "string") return bad(b);
    const found = resolveSession(ref, store.sessions().map((s) => s.session_id));
    if ("status" in found) return { status: found.status, body: found.body };
    const sid = found.id;
    const session = store.session(sid)!;
    const at = iso();
    const row: MessageRow = {
      id: crypto.randomUUID(),
      session_id: sid,
      kind: b.kind,
      from: b.from,
      text: scrub(b.text),
      status: "queued",
      via: null,
      reply: null,
      turn_id: null,
      timeout_s: b.timeout_s,
      created_at: at,
      updated_at: at,
      error: null,
    };
    if (session.status === "offline") {
      const error = `session ${sid} has ended (${session.end_reason ?? "unknown"})`;
      store.addMessage({ ...row, status: "refused", error });
      return { status: 409, body: { error, status: "refused", id: row.id, session_id: sid } };
    }
    const meta = { from: b.from, kind: b.kind, id: row.id };
    let appServerError: string | null = null;
    if (d.appServer?.has(sid)) {
      try {
        const r = await d.appServer.deliver(sid, b.text, meta);
        store.addMessage({ ...row, status: "delivered", via: "app-server", turn_id: r.turnId });
        return {
          status: 200,
          body: {
            id: row.id,
            session_id: sid,
            status: "delivered",
            via: "app-server",
            method: r.method,
            turn_id: r.turnId,
          },
        };
      } catch (e) {
        appServerError = `the app-server did not take it (${(e as Error).message}); `;
      }
    }
    const framed = frameMessage(b.text, meta);
    const result = await d.sidecars.deliver(sid, { id: row.id, kind: b.kind, text: framed, created_at: at });
    if (result === "delivered") {
      store.addMessage({ ...row, status: "delivered", via: "hook", error: appServerError });
      return {
        status: 200,
        body: {
          id: row.id,
          session_id: sid,
          status: "delivered",
          via: "hook",
          detail:
            "handed to the session's sidecar; Codex gets it at its next prompt, session start or turn end",
        },
      };
    }
    const why = (appServerError ?? "") +
      (result === "unacknowledged"
        ? "its sidecar did not acknowledge the message"
        : "its sidecar is not connected (Codex not running, or no hook has run since the hub started)");
    if (b.kind === "ask") {
      const error =
        `session ${sid} has no live connection: ${why}; an ask needs an answer now, so it was not queued`;
      store.addMessage({ ...row, status: "failed", error });
      return { status: 503, body: { error, id: row.id, session_id: sid, status: "failed" } };
    }
    const expires_at = new Date(Date.parse(at) + d.queueTtlMs).toISOString();
    store.enqueue(
      { id: row.id, kind: b.kind, text: framed, created_at: at, session_id: sid, expires_at },
      d.queueCap,
    );
    store.addMessage({ ...row, via: "hook", error: appServerError });
    unsent.set(row.id, b.text);
    return {
      status: 202,
      body: {
        id: row.id,
        session_id: sid,
        status: "queued",
        via: "hook",
        detail: `${why}; queued for ${
          Math.round(d.queueTtlMs / 1000)
        } s and delivered once when it reconnects`,
      },
    };
  };

  let flushing: Promise<number> | undefined;

  const flushQueued = async (): Promise<number> => {
    const link = d.appServer;
    if (!link?.connected) return 0;
    let n = 0;
    for (const m of store.openMessages()) {
      if (m.status !== "queued" || m.via !== "hook" || !link.has(m.session_id)) continue;
      if (!store.queued(m.session_id, iso()).some((q) => q.id === m.id)) continue; // a sidecar has it
      try {
        // The text as sent (the stored one is scrubbed); after a hub restart only the stored one is left.
        const text = unsent.get(m.id) ?? m.text;
        const r = await link.deliver(m.session_id, text, { from: m.from, kind: m.kind, id: m.id });
        unsent.delete(m.id);
        store.dequeue(m.id);
        store.updateMessage(m.id, { status: "delivered", via: "app-server", turn_id: r.turnId }, iso());
        n++;
      } catch { /* still queued: the next flush tries again */ }
    }
    return n;
  };

  return {
    flushQueued: () => (flushing ??= flushQueued().finally(() => (flushing = undefined))),
    send,
    spawn: (body) =>
      spawnSession(
        {
          store,
          now,
          scrubber: d.scrubber,
          socketPath: d.spawnSocket ?? (() => undefined),
          exec: d.spawnExec,
        },
        body,
      ),
    get(id) {
      const m = store.message(id);
      if (!m) return { status: 404, body: { error: `unknown message ${JSON.stringify(id)}` } };
      return { status: 200, body: view(resolve(m)) };
    },
    reply(id, body) {
      const m = store.message(id);
      if (!m) return { status: 404, body: { error: `unknown message ${JSON.stringify(id)}` } };
      if (m.kind !== "ask") {
        return {
          status: 409,
          body: { error: `message ${id} is a ${m.kind}, not an ask: there is nothing to answer` },
        };
      }
      const o = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      if (typeof o.text !== "string" || o.text.trim() === "" || o.text.length > MAX_TEXT) {
        return bad(`field "text" must be a non-empty string of at most ${MAX_TEXT} characters`);
      }
      store.updateMessage(id, { status: "answered", reply: scrub(o.text), error: null }, iso());
      return { status: 200, body: { id, status: "answered" } };
    },
    forSession: (sid, limit = 50) => store.messagesOf(sid, limit).map((m) => view(resolve(m))),
    refresh() {
      for (const m of store.openMessages()) resolve(m);
    },
  };
}
