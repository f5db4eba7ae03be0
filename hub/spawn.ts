/**
 * `POST /sessions`: a new Codex session with a first message, started in the
 * app-server daemon (`thread/start`, then `turn/start` of the framed
 * message). The connection that starts a thread is subscribed to it, so it
 * stays open until the first turn completes (or a time limit), then lets go
 * and the daemon unloads the thread as it does for a TUI that left; the
 * session stays resumable. The bridge reports the new thread like any other:
 * it is `pending_first_turn` until its first prompt arrives.
 *
 * Without a daemon there is nothing to start it in here: the answer says so
 * (a background `codex exec` fallback is not built yet).
 *
 * @module
 */

import type { MessageRow, Store } from "../lifecycle/store/mod.ts";
import type { Scrubber } from "../lifecycle/scrub.ts";
import {
  parseThreadResult,
  parseTurnStartResult,
  threadStartRequest,
  turnStartRequest,
} from "../codex/app_server/requests.ts";
import { type AppServerClient, connectAppServer } from "./app_server/client.ts";
import { frameMessage } from "./app_server/frame.ts";
import type { Answer } from "./messages.ts";

/** What spawning needs. */
export interface SpawnDeps {
  store: Store;
  now: () => Date;
  scrubber: Scrubber;
  /** The daemon's socket, when the hub uses one and it is up. */
  socketPath: () => string | undefined;
  connect?: (socketPath: string) => Promise<AppServerClient>;
  /** How long the starting connection waits for the first turn (default 10 minutes). */
  holdMs?: number;
}

const bad = (error: string): Answer => ({ status: 400, body: { error } });

/** Starts a session with a first message. */
export async function spawnSession(d: SpawnDeps, body: unknown): Promise<Answer> {
  const o = (typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
  if (typeof o.cwd !== "string" || !o.cwd.startsWith("/")) return bad('field "cwd" must be an absolute path');
  if (typeof o.message !== "string" || o.message.trim() === "" || o.message.length > 65_536) {
    return bad('field "message" must be a non-empty string of at most 65536 characters');
  }
  if (o.model !== undefined && typeof o.model !== "string") return bad('field "model" must be a string');
  if (o.from !== undefined && typeof o.from !== "string") return bad('field "from" must be a string');
  try {
    if (!(await Deno.stat(o.cwd)).isDirectory) return bad(`cwd ${JSON.stringify(o.cwd)} is not a folder`);
  } catch {
    return bad(`cwd ${JSON.stringify(o.cwd)} does not exist`);
  }
  const socket = d.socketPath();
  if (!socket) {
    return {
      status: 503,
      body: {
        error: "no app-server daemon is connected to start a session in (start a Codex TUI, or the daemon)",
      },
    };
  }
  const connect = d.connect ??
    ((p: string) => connectAppServer(p, { clientName: "lifeline-spawn", clientVersion: "0.1.0" }));
  const from = (o.from as string | undefined)?.trim() || "lifeline";
  const id = crypto.randomUUID();
  let client: AppServerClient | undefined;
  try {
    client = await connect(socket);
    const start = threadStartRequest({ cwd: o.cwd, ...(o.model ? { model: o.model as string } : {}) });
    const thread = parseThreadResult(await client.request(start.method, start.params));
    if (!thread) throw new Error('"thread/start" gave no thread');
    const turnReq = turnStartRequest(thread.id, frameMessage(o.message, { from, kind: "notify", id }));
    const turn = parseTurnStartResult(await client.request(turnReq.method, turnReq.params));
    if (!turn) throw new Error('"turn/start" gave no turn');
    const at = d.now().toISOString();
    const row: MessageRow = {
      id,
      session_id: thread.sessionId,
      kind: "notify",
      from,
      text: d.scrubber.text(o.message) ?? "",
      status: "delivered",
      via: "app-server",
      reply: null,
      turn_id: turn.id,
      timeout_s: 0,
      created_at: at,
      updated_at: at,
      error: null,
    };
    d.store.addMessage(row);
    hold(client, thread.id, d.holdMs ?? 600_000);
    client = undefined;
    return { status: 201, body: { session_id: thread.sessionId, message_id: id, via: "app-server" } };
  } catch (e) {
    return {
      status: 502,
      body: { error: `Cannot start a session in the app-server: ${(e as Error).message}` },
    };
  } finally {
    client?.close();
  }
}

/** Keeps the starting connection until the thread's first turn completes, then closes it. */
function hold(client: AppServerClient, threadId: string, ms: number): void {
  const timer = setTimeout(() => client.close(), ms);
  const off = client.onNotification(({ notification: n }) => {
    if (n.method === "turn/completed" && n.threadId === threadId) client.close();
  });
  void client.closed.then(() => {
    clearTimeout(timer);
    off();
  });
}
