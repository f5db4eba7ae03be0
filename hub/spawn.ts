/**
 * `POST /sessions`: a new Codex session with a first message, started in the
 * app-server daemon (`thread/start`, then `turn/start` of the framed
 * message). The connection that starts a thread is subscribed to it, so it
 * stays open until the first turn completes (or a time limit), then lets go
 * and the daemon unloads the thread as it does for a TUI that left; the
 * session stays resumable. The bridge reports the new thread like any other:
 * it is `pending_first_turn` until its first prompt arrives.
 *
 * Without a daemon (none runs, or `LIFELINE_APP_SERVER=off`) the session is
 * a background `codex exec` of the framed message (`hub/spawn_exec.ts`): its
 * id is the `thread.started` event's, and the hub registers it at once with
 * one `SessionStart` observation (marked `lifeline_source: "spawn"`), so it
 * is listed as `pending_first_turn` until the hooks installed in its Codex
 * home record its first prompt and the rest. It is the user's work: it keeps
 * running when the hub stops.
 *
 * @module
 */

import type { SessionStartPayload } from "../codex/payloads.ts";
import type { MessageRow, Store } from "../lifecycle/store/mod.ts";
import type { Scrubber } from "../lifecycle/scrub.ts";
import { observeHook } from "../lifecycle/observe.ts";
import {
  parseThreadResult,
  parseTurnStartResult,
  threadStartRequest,
  turnStartRequest,
} from "../codex/app_server/requests.ts";
import { type AppServerClient, connectAppServer } from "./app_server/client.ts";
import { frameMessage } from "./app_server/frame.ts";
import type { Answer } from "./messages.ts";
import { type ExecSpawnOptions, startExec } from "./spawn_exec.ts";

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
  /** How to start a `codex exec` when there is no daemon; without it, no daemon is a 503. */
  exec?: ExecSpawnOptions | undefined;
}

/** A checked `POST /sessions` body. */
interface SpawnBody {
  cwd: string;
  message: string;
  model: string | undefined;
  from: string;
}

const bad = (error: string): Answer => ({ status: 400, body: { error } });

/** Checks a `POST /sessions` body: the body, or the error answer. */
async function parseSpawn(body: unknown): Promise<SpawnBody | Answer> {
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
    if (!(await Deno.stat(o.cwd)).isDirectory) {
      return bad(`field "cwd": ${JSON.stringify(o.cwd)} is not a directory`);
    }
  } catch {
    return bad(`field "cwd": ${JSON.stringify(o.cwd)} does not exist`);
  }
  return {
    cwd: o.cwd,
    message: o.message,
    model: (o.model as string | undefined) || undefined,
    from: (o.from as string | undefined)?.trim() || "lifeline",
  };
}

/** Starts a session with a first message. */
export async function spawnSession(d: SpawnDeps, body: unknown): Promise<Answer> {
  const b = await parseSpawn(body);
  if ("status" in b) return b;
  const socket = d.socketPath();
  if (socket) return await inDaemon(d, b, socket);
  if (d.exec) return await inExec(d, d.exec, b);
  return {
    status: 503,
    body: {
      error: "no app-server daemon is connected to start a session in (start a Codex TUI, or the daemon)",
    },
  };
}

/** The first message's row: handed to Codex as the session's first prompt. */
function firstMessage(d: SpawnDeps, b: SpawnBody, id: string, sessionId: string, via: MessageRow["via"]) {
  const at = d.now().toISOString();
  const row: MessageRow = {
    id,
    session_id: sessionId,
    kind: "notify",
    from: b.from,
    text: d.scrubber.text(b.message) ?? "",
    status: "delivered",
    via,
    reply: null,
    turn_id: null,
    timeout_s: 0,
    created_at: at,
    updated_at: at,
    error: null,
  };
  return row;
}

async function inExec(d: SpawnDeps, exec: ExecSpawnOptions, b: SpawnBody): Promise<Answer> {
  const id = crypto.randomUUID();
  const prompt = frameMessage(b.message, { from: b.from, kind: "notify", id });
  const r = await startExec(exec, { cwd: b.cwd, prompt, model: b.model });
  if (!r.ok) {
    const tail = r.stderrTail ? d.scrubber.text(r.stderrTail) : undefined;
    return {
      status: r.status,
      body: { error: r.error + (tail ? `; its stderr ends:\n${tail}` : ""), via: "exec" },
    };
  }
  if (!d.store.session(r.sessionId)) {
    const payload: SessionStartPayload = {
      session_id: r.sessionId,
      hook_event_name: "SessionStart",
      source: "startup",
      cwd: b.cwd,
      ...(b.model ? { model: b.model } : {}),
      lifeline_source: "spawn",
    };
    d.store.record(observeHook(payload, { now: d.now, scrubber: d.scrubber, pid: null, hintThreshold: 0 }));
  }
  d.store.addMessage(firstMessage(d, b, id, r.sessionId, null));
  return {
    status: 201,
    body: { session_id: r.sessionId, message_id: id, via: "exec", pid: r.pid, log: r.log },
  };
}

async function inDaemon(d: SpawnDeps, b: SpawnBody, socket: string): Promise<Answer> {
  const connect = d.connect ??
    ((p: string) => connectAppServer(p, { clientName: "lifeline-spawn", clientVersion: "0.1.0" }));
  const id = crypto.randomUUID();
  let client: AppServerClient | undefined;
  try {
    client = await connect(socket);
    const start = threadStartRequest({ cwd: b.cwd, ...(b.model ? { model: b.model } : {}) });
    const thread = parseThreadResult(await client.request(start.method, start.params));
    if (!thread) throw new Error('"thread/start" gave no thread');
    const turnReq = turnStartRequest(
      thread.id,
      frameMessage(b.message, { from: b.from, kind: "notify", id }),
    );
    const turn = parseTurnStartResult(await client.request(turnReq.method, turnReq.params));
    if (!turn) throw new Error('"turn/start" gave no turn');
    d.store.addMessage({ ...firstMessage(d, b, id, thread.sessionId, "app-server"), turn_id: turn.id });
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
