/**
 * The sidecar WebSocket protocol (`/ws`).
 *
 * sidecar → hub: `{"type":"connect","session_id","pid","token"}` first, then
 * `{"type":"ack","id"}`, `{"type":"ping"}`, `{"type":"pong"}`.
 * hub → sidecar: `{"type":"welcome"}`, `{"type":"deliver","id","kind","text","created_at"}`,
 * `{"type":"ping"}`, `{"type":"pong"}`.
 *
 * @module
 */

/** Close codes the hub uses, with reasons a person can read. */
export const CLOSE = {
  badFrame: 4000,
  unauthorized: 4001,
  connectFirst: 4002,
  replaced: 4003,
  pingTimeout: 4008,
} as const;

/** A frame from a sidecar. */
export type SidecarFrame =
  | { type: "connect"; session_id: string; pid: number | null; token: string }
  | { type: "ack"; id: string }
  | { type: "ping" }
  | { type: "pong" };

/** A frame from the hub. */
export type HubFrame =
  | { type: "welcome" }
  | { type: "deliver"; id: string; kind: "notify" | "ask"; text: string; created_at: string }
  | { type: "ping" }
  | { type: "pong" };

/**
 * Parses a sidecar frame; returns a reason (for the close frame) when it is bad.
 *
 * @example
 * ```ts
 * import { parseSidecarFrame } from "./protocol.ts";
 * const f = parseSidecarFrame('{"type":"ack","id":"m1"}');
 * if (typeof f === "string" || f.type !== "ack") throw new Error(String(f));
 * ```
 */
export function parseSidecarFrame(data: unknown): SidecarFrame | string {
  if (typeof data !== "string") return "frames must be JSON text";
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return "frame is not valid JSON";
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "frame must be a JSON object";
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case "connect":
      if (typeof o.session_id !== "string" || o.session_id === "") {
        return 'connect: field "session_id" must be a non-empty string';
      }
      if (o.pid !== undefined && o.pid !== null && !Number.isInteger(o.pid)) {
        return 'connect: field "pid" must be an integer or null';
      }
      if (typeof o.token !== "string") return 'connect: field "token" is missing';
      return {
        type: "connect",
        session_id: o.session_id,
        pid: (o.pid as number | null | undefined) ?? null,
        token: o.token,
      };
    case "ack":
      if (typeof o.id !== "string") return 'ack: field "id" must be a string';
      return { type: "ack", id: o.id };
    case "ping":
    case "pong":
      return { type: o.type };
    default:
      return `unknown frame type ${JSON.stringify(o.type)}`;
  }
}
