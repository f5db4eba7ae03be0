/**
 * The hub's HTTP routes, behind the Host, Origin and token checks of
 * `hub/auth.ts`: `GET /` (the page), `GET /healthz`, `GET /sessions`,
 * `GET /sessions/:id`, `GET /events` (the page's pushed updates),
 * `POST /sessions/:id/messages`, and the `/ws` upgrade for sidecars. A
 * session id may be given as a unique prefix.
 *
 * A message goes to the session's sidecar at once when it is connected and
 * acknowledges; otherwise a `notify` is queued (bounded, with an expiry) and an
 * `ask` is refused, since its sender waits for an answer now.
 *
 * No answer carries a stack trace: a failing handler is logged in one line and
 * answered `500 {"error":"internal error"}`.
 *
 * @module
 */

import type { Store } from "../lifecycle/store/mod.ts";
import { storeProblem } from "../lifecycle/fallback_log.ts";
import { type SessionReport, sessionReport } from "../lifecycle/status.ts";
import { hasToken, refusedHost, refusedOrigin, TOKEN_HELP } from "./auth.ts";
import type { Connections } from "./connections.ts";
import { eventStream, type Updates, updates } from "./updates.ts";
import { newNonce } from "./protocol.ts";
import { pageHtml } from "./page.ts";
import { type MessageView, sessionMessages, sessionTools, type ToolView } from "./session_view.ts";
import { resolveSession, type SessionRef } from "./session_ref.ts";
import type { Messaging } from "./messages.ts";
import type { AppServerLink } from "./app_server_link.ts";

/** One session as `/sessions` shows it: the status report plus transport. */
export type HubSession = SessionReport & { transport: "connected" | "disconnected" | "app-server" };

/** One session as `/sessions/:id` shows it: also its messages and recent tool calls. */
export type HubSessionDetail = HubSession & { messages: unknown[]; tools: ToolView[] };

/** The largest request body the hub reads (a message post); larger ones get 413. */
export const MAX_BODY_BYTES = 65_536;

/** What the routes need. */
export interface RouteContext {
  store: Store;
  /** The state dir: the hub says when hooks cannot write its store (`lifecycle/fallback_log.ts`). */
  stateDir?: string;
  connections: Connections;
  token: string;
  /** The port the hub listens on (known only once it listens). */
  port: () => number;
  now: () => Date;
  queueTtlMs: number;
  queueCap: number;
  staleBusyMs: number;
  alive: (pid: number, startedAt: string) => boolean | undefined;
  log: (line: string) => void;
  /** How often the page's update stream looks for changes (default 1 s). */
  updateMs?: number;
  /** The message API (`hub/messages.ts`); without it the routes keep their older sidecar-only answers. */
  messages?: Messaging;
  appServer?: AppServerLink | undefined;
}

/** The hub's request handler and the page's update stream it serves. */
export interface HubRoutes {
  handle: (req: Request) => Promise<Response>;
  updates: Updates;
}

const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/json",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    },
  });
}

function page(): Response {
  const nonce = newNonce().slice(0, 32);
  return new Response(pageHtml(nonce), {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; ` +
        `style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; ` +
        "form-action 'none'; frame-ancestors 'none'",
    },
  });
}

/** Reads at most `cap` bytes of the body; undefined when it is larger (the rest is not read). */
async function readBody(req: Request, cap: number): Promise<string | undefined> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > cap) return undefined;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > cap) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** The hub's request handler. */
export function hubHandler(ctx: RouteContext): HubRoutes {
  const { store, connections: conns, now, log } = ctx;

  // When hooks cannot write the store, nothing new is recorded: say so wherever sessions are shown.
  const storeTrouble = () => {
    const p = ctx.stateDir ? storeProblem(ctx.stateDir) : undefined;
    return p
      ? { problem: p.problem, fallback_log: p.fallbackLog ?? null, last_error: p.lastError ?? null }
      : null;
  };
  const report = (): HubSession[] => {
    store.maintain({ now: now().toISOString(), staleBusyMs: ctx.staleBusyMs, alive: ctx.alive });
    return store.sessions().map((s) => ({
      ...sessionReport(store, s),
      transport: ctx.appServer?.has(s.session_id)
        ? "app-server"
        : conns.has(s.session_id)
        ? "connected"
        : "disconnected",
    }));
  };

  const live = updates({
    intervalMs: ctx.updateMs ?? 1000,
    snapshot: () => {
      const sessions = report();
      const data = JSON.stringify({ sessions });
      const t = now().toISOString();
      const msgs = sessions.map((s) =>
        sessionMessages(store, s.session_id, t).map((m) => m.id.slice(0, 8) + m.status).join()
      );
      return { data, digest: data + "\n" + msgs.join("|") };
    },
  });

  // `closest` is the older name of a 404's `candidates`, kept for the clients that read it.
  const refusal = (r: Exclude<SessionRef, { id: string }>) =>
    json({ ...r.body, ...(r.status === 404 ? { closest: r.body.candidates } : {}) }, r.status);

  const resolve = (given: string) => resolveSession(given, store.sessions().map((s) => s.session_id));

  const postMessage = async (given: string, req: Request): Promise<Response> => {
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === undefined) return json({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` }, 413);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return json({ error: 'body must be JSON: {"kind":"notify"|"ask","text":"…"}' }, 400);
    }
    const b = body as Record<string, unknown>;
    if (typeof b !== "object" || b === null || (b.kind !== "notify" && b.kind !== "ask")) {
      return json({ error: 'field "kind" must be "notify" or "ask"' }, 400);
    }
    if (typeof b.text !== "string" || b.text.trim() === "" || b.text.length > 65_536) {
      return json({ error: 'field "text" must be a non-empty string of at most 65536 characters' }, 400);
    }
    const r = resolve(given);
    if ("status" in r) return refusal(r);
    const id = r.id;
    const msg = {
      id: crypto.randomUUID(),
      kind: b.kind,
      text: b.text,
      created_at: now().toISOString(),
    } as const;
    const result = await conns.deliver(id, msg);
    const said = `message ${msg.id.slice(0, 8)} (${msg.kind}, ${msg.text.length} chars) to session ${id}`;
    live.poke();
    if (result === "delivered") {
      log(`${said}: handed to its sidecar`);
      return json({
        id: msg.id,
        session_id: id,
        status: "delivered",
        detail:
          "handed to the session's sidecar; Codex gets it at its next prompt, session start or turn end",
      });
    }
    const why = result === "unacknowledged"
      ? "its sidecar did not acknowledge the message"
      : "its sidecar is not connected (Codex not running, or no hook has run since the hub started)";
    if (msg.kind === "ask") {
      log(`${said}: refused, ${why}`);
      return json({
        error:
          `session ${id} has no live connection: ${why}; an ask needs an answer now, so it was not queued`,
      }, 503);
    }
    const expires_at = new Date(Date.parse(msg.created_at) + ctx.queueTtlMs).toISOString();
    store.enqueue({ ...msg, session_id: id, expires_at }, ctx.queueCap);
    log(`${said}: queued, ${why}`);
    return json({
      id: msg.id,
      session_id: id,
      status: "queued",
      detail: `${why}; queued for ${
        Math.round(ctx.queueTtlMs / 1000)
      } s and delivered once when it reconnects`,
    }, 202);
  };

  const route = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const badHost = refusedHost(req, ctx.port());
    if (badHost) return json({ error: badHost }, 403);
    const refused = refusedOrigin(req, ctx.port());
    if (refused) return json({ error: refused }, 403);
    if (url.pathname === "/ws") {
      // The token never travels here: the sidecar proves it knows it in the handshake.
      if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return json({ error: "/ws expects a WebSocket upgrade" }, 426);
      }
      let up: { socket: WebSocket; response: Response };
      try {
        up = Deno.upgradeWebSocket(req);
      } catch (e) {
        return json({ error: `bad WebSocket upgrade: ${(e as Error).message}` }, 400);
      }
      conns.accept(up.socket);
      return up.response;
    }
    if (!hasToken(req, url, ctx.token)) return json({ error: TOKEN_HELP }, 401);
    if (req.method === "GET" && url.pathname === "/") return page();
    if (req.method === "GET" && url.pathname === "/healthz") {
      return json({ ok: true, sessions_connected: conns.count(), store_problem: storeTrouble() });
    }
    if (req.method === "GET" && url.pathname === "/sessions") {
      return json({ sessions: report(), store_problem: storeTrouble() });
    }
    if (req.method === "GET" && url.pathname === "/events") {
      log(`page connected (${live.listeners() + 1} watching)`);
      return eventStream(
        live,
        { ...SECURITY_HEADERS, "content-type": "text/event-stream" },
        () => log(`page disconnected (${live.listeners()} watching)`),
      );
    }
    if (ctx.messages) {
      const answer = await messageRoute(ctx.messages, req, url.pathname, log);
      if (answer) return json(answer.body, answer.status);
    }
    const m = /^\/sessions\/([^/]+)(\/messages)?$/.exec(url.pathname);
    if (m) {
      let given: string;
      try {
        given = decodeURIComponent(m[1]!);
      } catch {
        return json(
          { error: `the session id in ${JSON.stringify(url.pathname)} is not valid %-encoding` },
          400,
        );
      }
      if (!m[2] && req.method === "GET") {
        const r = resolve(given);
        if ("status" in r) return refusal(r);
        const s = report().find((x) => x.session_id === r.id);
        if (!s) return json({ error: `unknown session ${JSON.stringify(given)}` }, 404);
        const detail: HubSessionDetail = {
          ...s,
          messages: withHookState(
            ctx.messages?.forSession(r.id),
            sessionMessages(store, r.id, now().toISOString()),
          ),
          tools: sessionTools(store, r.id),
        };
        return json(detail);
      }
      if (m[2] && req.method === "POST") return await postMessage(given, req);
    }
    return json({ error: `no route for ${req.method} ${url.pathname}` }, 404);
  };

  const handle = async (req: Request) => {
    try {
      return await route(req);
    } catch (e) {
      log(`error answering ${req.method} ${new URL(req.url).pathname}: ${(e as Error)?.message ?? e}`);
      return json({ error: "internal error" }, 500);
    }
  };
  return { handle, updates: live };
}

/**
 * A session's messages as the detail shows them: the message API's records (status, via, reply…)
 * with the hook path's finer state of each (`pending`: in the session's inbox, waiting for a hook
 * point; when and where Codex got it); without the message API, the hook path's view alone.
 */
function withHookState(
  records: readonly object[] | undefined,
  hook: readonly MessageView[],
): unknown[] {
  if (!records) return [...hook];
  const byId = new Map(hook.map((v) => [v.id, v]));
  return (records as readonly Record<string, unknown>[]).map((m) => {
    const v = byId.get(String(m.id));
    if (!v) return { ...m, delivered_at: null, delivered_event: null };
    // Until an answer, expiry or failure, the hook path knows best where the message is.
    const status = m.status === "queued" || m.status === "delivered" ? v.status : m.status;
    return { ...m, status, delivered_at: v.delivered_at, delivered_event: v.delivered_event };
  });
}

/** The message API's routes (`hub/messages.ts` has the logic); `undefined` for any other path. */
async function messageRoute(
  messages: Messaging,
  req: Request,
  path: string,
  log: (line: string) => void,
): Promise<{ status: number; body: unknown } | undefined> {
  const tooLarge = { status: 413, body: { error: `the body is larger than ${MAX_BODY_BYTES} bytes` } };
  // A body the hub cannot read as JSON is `undefined`: the message logic answers 400 with what it expected.
  const body = async (): Promise<unknown | typeof tooLarge> => {
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === undefined) return tooLarge;
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  };
  const decoded = (s: string): string | undefined => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined;
    }
  };
  const badId = { status: 400, body: { error: `the id in ${JSON.stringify(path)} is not valid %-encoding` } };
  const withBody = async (
    f: (b: unknown) => Promise<{ status: number; body: unknown }> | {
      status: number;
      body: unknown;
    },
  ) => {
    const b = await body();
    return b === tooLarge ? tooLarge : await f(b);
  };
  if (path === "/sessions" && req.method === "POST") return await withBody((b) => messages.spawn(b));
  const msg = /^\/messages\/([^/]+)(\/reply)?$/.exec(path);
  if (msg) {
    const id = decoded(msg[1]!);
    if (id === undefined) return badId;
    if (!msg[2] && req.method === "GET") return messages.get(id);
    if (msg[2] && req.method === "POST") return await withBody((b) => messages.reply(id, b));
    return undefined;
  }
  const ses = /^\/sessions\/([^/]+)\/messages$/.exec(path);
  if (!ses || req.method !== "POST") return undefined; // GET /sessions/:id is the hub's detail route
  const ref = decoded(ses[1]!);
  if (ref === undefined) return badId;
  return await withBody(async (b) => {
    const answer = await messages.send(ref, b);
    // One line for the hub's terminal: never the text, only its size.
    const o = (b ?? {}) as { kind?: unknown; text?: unknown };
    const a = answer.body as { id?: unknown; session_id?: unknown; status?: unknown; error?: unknown };
    const size = typeof o.text === "string" ? `${o.text.length} chars` : "no text";
    log(
      `message ${String(a.id ?? "-").slice(0, 8)} (${String(o.kind)}, ${size}) to session ${
        String(a.session_id ?? ref)
      }: ${String(a.status ?? `refused (${answer.status})`)}`,
    );
    return answer;
  });
}
