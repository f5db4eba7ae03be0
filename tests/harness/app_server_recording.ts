/**
 * Reads a recorded app-server stream (`tests/testdata/recorded/app_server/`:
 * one JSON-RPC message a line, as lifeline's bridge sent or received it)
 * into the events a scenario replays: the daemon's notifications, and the
 * messages lifeline delivered (`turn/start`, `turn/steer`) with the answer
 * the daemon gave. The bridge's own requests (reconcile, subscriptions) are
 * left out: the stand-in daemon answers them from its state, as the real one did.
 *
 * @module
 */

type P = Record<string, unknown>;

/** One line of a recording. */
export interface RecordedLine {
  ms: number;
  dir: "send" | "recv";
  message: P;
}

/** What a scenario replays, in recorded order. */
export type StreamEvent =
  | { t: "note"; ms: number; method: string; params: P; emittedAtMs?: number }
  | {
    t: "deliver";
    ms: number;
    method: "turn/start" | "turn/steer";
    threadId: string;
    from: string;
    kind: "notify" | "ask";
    text: string;
    /** The daemon's answer. */
    result: P;
    /** The turn it started or joined. */
    turnId: string;
  };

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&amp;": "&" };

/** The sender, kind and text of a framed lifeline message. */
export function unframe(framed: string): { from: string; kind: "notify" | "ask"; text: string } | undefined {
  const m = /^<lifeline-message from="([^"]*)" kind="(notify|ask)"[^>]*>([\s\S]*?)<\/lifeline-message>/.exec(
    framed,
  );
  if (!m) return undefined;
  const un = (s: string) => s.replace(/&(lt|gt|quot|amp);/g, (e) => ENTITIES[e]!);
  return { from: un(m[1]!), kind: m[2] as "notify" | "ask", text: un(m[3]!) };
}

/** Parses a recording's text; throws with the line number on a line it cannot read. */
export function readStream(text: string, file: string): StreamEvent[] {
  const lines: RecordedLine[] = text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    try {
      return JSON.parse(l) as RecordedLine;
    } catch (e) {
      throw new Error(`Cannot read ${file}:${i + 1}: ${(e as Error).message}`);
    }
  });
  const results = new Map<unknown, P>();
  for (const l of lines) {
    if (l.dir === "recv" && l.message.id !== undefined && l.message.result !== undefined) {
      results.set(l.message.id, l.message.result as P);
    }
  }
  const out: StreamEvent[] = [];
  for (const [i, l] of lines.entries()) {
    const m = l.message;
    if (l.dir === "recv" && typeof m.method === "string" && m.id === undefined) {
      const at = typeof m.emittedAtMs === "number" ? { emittedAtMs: m.emittedAtMs } : {};
      out.push({ t: "note", ms: l.ms, method: m.method, params: (m.params ?? {}) as P, ...at });
      continue;
    }
    if (l.dir !== "send" || (m.method !== "turn/start" && m.method !== "turn/steer")) continue;
    const params = m.params as P;
    const input = (params.input as { text?: string }[] | undefined)?.[0]?.text ?? "";
    const msg = unframe(input);
    const result = results.get(m.id);
    if (!msg || !result) {
      throw new Error(`Cannot read ${file}:${i + 1}: a delivery without a framed text or answer`);
    }
    const turnId = m.method === "turn/start" ? String((result.turn as P).id) : String(result.turnId);
    out.push({
      t: "deliver",
      ms: l.ms,
      method: m.method,
      threadId: String(params.threadId),
      ...msg,
      result,
      turnId,
    });
  }
  return out;
}

/** The turn a notification is about, when it names one. */
export function turnOf(e: StreamEvent): string | undefined {
  if (e.t === "deliver") return e.turnId;
  const p = e.params;
  if (typeof p.turnId === "string") return p.turnId;
  const turn = p.turn as P | undefined;
  return typeof turn?.id === "string" ? turn.id : undefined;
}

/** The item of an `item/completed` of `type`, or undefined. */
export function itemOf(e: StreamEvent, type: string): P | undefined {
  if (e.t !== "note" || e.method !== "item/completed") return undefined;
  const item = e.params.item as P | undefined;
  return item?.type === type ? item : undefined;
}

/** The text of a user message item. */
export function userText(item: P): string {
  const first = (item.content as { text?: string }[] | undefined)?.[0];
  return first?.text ?? "";
}
