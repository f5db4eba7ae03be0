/**
 * The sidecar WebSocket protocol (`/ws`).
 *
 * The handshake proves both sides know the hub token without sending it, so a
 * process that listens where the hub used to cannot learn the token or pose as
 * the hub:
 *
 * 1. sidecar → hub `{"type":"connect","session_id","pid","nonce"}` (a fresh random nonce);
 * 2. hub → sidecar `{"type":"challenge","nonce","proof"}`: its own nonce, and
 *    `proof = HMAC-SHA256(token, "lifeline-hub\n<port>\n<sidecar nonce>")` in hex; the sidecar
 *    checks it against the port it dialled, so a relay on another port fails;
 * 3. sidecar → hub `{"type":"auth","proof"}`: `HMAC-SHA256(token, "lifeline-sidecar\n<hub nonce>")`;
 * 4. hub → sidecar `{"type":"welcome"}`.
 *
 * A `connect` carrying `"token"` instead of `"nonce"` (clients that cannot compute an HMAC) is
 * checked at once and welcomed. After the welcome: sidecar → hub `{"type":"ack","id"}`,
 * `{"type":"ping"}`, `{"type":"pong"}`; hub → sidecar `{"type":"deliver","id","kind","text",
 * "created_at"}`, `{"type":"ping"}`, `{"type":"pong"}`. A socket that has not authenticated within
 * a few seconds is closed (4009).
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
  authTimeout: 4009,
} as const;

/** A frame from a sidecar. */
export type SidecarFrame =
  | { type: "connect"; session_id: string; pid: number | null; token?: string; nonce?: string }
  | { type: "auth"; proof: string }
  | { type: "ack"; id: string }
  | { type: "ping" }
  | { type: "pong" };

/** A frame from the hub. */
export type HubFrame =
  | { type: "welcome" }
  | { type: "challenge"; nonce: string; proof: string }
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
      if (typeof o.nonce === "string") {
        if (!/^[0-9a-f]{32,128}$/.test(o.nonce)) return 'connect: field "nonce" must be 32 to 128 hex digits';
        return {
          type: "connect",
          session_id: o.session_id,
          pid: (o.pid as number | null | undefined) ?? null,
          nonce: o.nonce,
        };
      }
      if (typeof o.token !== "string") return 'connect: field "nonce" (or "token") is missing';
      return {
        type: "connect",
        session_id: o.session_id,
        pid: (o.pid as number | null | undefined) ?? null,
        token: o.token,
      };
    case "auth":
      if (typeof o.proof !== "string") return 'auth: field "proof" must be a string';
      return { type: "auth", proof: o.proof };
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

/** A fresh random nonce: 32 bytes as hex. */
export function newNonce(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA256 of `message` keyed with the hub token, as hex. */
export async function hmacHex(token: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The hub's proof for a sidecar's nonce, bound to the port the sidecar dialled. */
export function hubProof(token: string, port: number, sidecarNonce: string): Promise<string> {
  return hmacHex(token, `lifeline-hub\n${port}\n${sidecarNonce}`);
}

/** The sidecar's proof for the hub's nonce. */
export function sidecarProof(token: string, hubNonce: string): Promise<string> {
  return hmacHex(token, `lifeline-sidecar\n${hubNonce}`);
}
