/**
 * The hub's messages to sessions: what was sent, by whom, how it was
 * delivered, and the answer to an ask. Their own facts, not derived from the
 * journal; the text and the reply are stored scrubbed.
 *
 * @module
 */

import type { Db, Row } from "./db.ts";

/** A message's state. */
export type MessageStatus = "queued" | "delivered" | "answered" | "failed" | "expired" | "refused";

/** One message, as `GET /messages/:id` shows it. */
export interface MessageRow {
  id: string;
  session_id: string;
  kind: "notify" | "ask";
  from: string;
  text: string;
  status: MessageStatus;
  via: "app-server" | "hook" | null;
  reply: string | null;
  /** The turn the message started or was given in, when known. */
  turn_id: string | null;
  /** An ask not answered this long after it was sent expires. */
  timeout_s: number;
  created_at: string;
  updated_at: string;
  error: string | null;
}

function toMessage(r: Row): MessageRow {
  return {
    id: r.id as string,
    session_id: r.session_id as string,
    kind: r.kind as MessageRow["kind"],
    from: r.sender as string,
    text: r.text as string,
    status: r.status as MessageStatus,
    via: r.via as MessageRow["via"],
    reply: r.reply as string | null,
    turn_id: r.turn_id as string | null,
    timeout_s: r.timeout_s as number,
    created_at: r.created_at as string,
    updated_at: r.updated_at as string,
    error: r.error as string | null,
  };
}

/** Adds a message (idempotent by id). */
export function addMessage(db: Db, m: MessageRow): void {
  db.stmt("INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)").run(
    m.id,
    m.session_id,
    m.kind,
    m.from,
    m.text,
    m.status,
    m.via,
    m.reply,
    m.turn_id,
    m.timeout_s,
    m.created_at,
    m.updated_at,
    m.error,
  );
}

/** One message. */
export function message(db: Db, id: string): MessageRow | undefined {
  const r = db.stmt("SELECT * FROM messages WHERE id = ?").get(id) as Row | undefined;
  return r ? toMessage(r) : undefined;
}

/** A session's messages, newest first. */
export function messagesOf(db: Db, sessionId: string, limit: number): MessageRow[] {
  return (db.stmt("SELECT * FROM messages WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
    .all(sessionId, limit) as Row[]).map(toMessage);
}

/** Messages still waiting for something (delivery or an answer), oldest first. */
export function openMessages(db: Db): MessageRow[] {
  return (db.stmt(
    "SELECT * FROM messages WHERE status IN ('queued', 'delivered', 'expired') ORDER BY created_at, id",
  ).all() as Row[]).map(toMessage);
}

/** The fields of a message that change. */
export type MessagePatch = Partial<Pick<MessageRow, "status" | "via" | "reply" | "turn_id" | "error">>;

/** Updates a message; returns it as it is now. */
export function updateMessage(db: Db, id: string, patch: MessagePatch, at: string): MessageRow | undefined {
  const m = message(db, id);
  if (!m) return undefined;
  const n = { ...m, ...patch, updated_at: at };
  db.stmt(
    "UPDATE messages SET status = ?, via = ?, reply = ?, turn_id = ?, error = ?, updated_at = ? WHERE id = ?",
  )
    .run(n.status, n.via, n.reply, n.turn_id, n.error, n.updated_at, id);
  return n;
}
