/**
 * The hub's HTTP routes, behind the Origin and token checks of `hub/auth.ts`:
 * `GET /` (the page), `GET /healthz`, `GET /sessions`, `GET /sessions/:id`,
 * `POST /sessions/:id/messages`, and the `/ws` upgrade for sidecars.
 *
 * A message goes to the session's sidecar at once when it is connected and
 * acknowledges; otherwise a `notify` is queued (bounded, with an expiry) and an
 * `ask` is refused, since its sender waits for an answer now.
 *
 * @module
 */

import type { Store } from "../lifecycle/store/mod.ts";
import { type SessionReport, sessionReport } from "../lifecycle/status.ts";
import { hasToken, refusedOrigin, TOKEN_HELP } from "./auth.ts";
import type { Connections } from "./connections.ts";
import { pageHtml } from "./page.ts";
import type { Messaging } from "./messages.ts";
import type { AppServerLink } from "./app_server_link.ts";
import { resolveSession } from "./session_ref.ts";

/** One session as `/sessions` shows it: the status report plus transport. */
export type HubSession = SessionReport & { transport: "connected" | "disconnected" | "app-server" };

/** What the routes need. */
export interface RouteContext {
  store: Store;
  connections: Connections;
  token: string;
  /** The port the hub listens on (known only once it listens). */
  port: () => number;
  now: () => Date;
  queueTtlMs: number;
  queueCap: number;
  staleBusyMs: number;
  alive: (pid: number, startedAt: string) => boolean | undefined;
  /** The message API (`hub/messages.ts`); without it the routes keep their older sidecar-only answers. */
  messages?: Messaging;
  appServer?: AppServerLink | undefined;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

const unknownSession = (id: string) => json({ error: `unknown session ${JSON.stringify(id)}` }, 404);

/** The hub's request handler. */
export function hubHandler(ctx: RouteContext): (req: Request) => Promise<Response> {
  const { store, connections: conns, now } = ctx;

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

  const postMessage = async (id: string, req: Request): Promise<Response> => {
    let body: unknown;
    try {
      body = await req.json();
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
    if (!store.session(id)) return unknownSession(id);
    const msg = {
      id: crypto.randomUUID(),
      kind: b.kind,
      text: b.text,
      created_at: now().toISOString(),
    } as const;
    const result = await conns.deliver(id, msg);
    if (result === "delivered") {
      return json({
        id: msg.id,
        status: "delivered",
        detail:
          "handed to the session's sidecar; Codex gets it at its next prompt, session start or turn end",
      });
    }
    const why = result === "unacknowledged"
      ? "its sidecar did not acknowledge the message"
      : "its sidecar is not connected (Codex not running, or no hook has run since the hub started)";
    if (msg.kind === "ask") {
      return json({
        error:
          `session ${id} has no live connection: ${why}; an ask needs an answer now, so it was not queued`,
      }, 503);
    }
    const expires_at = new Date(Date.parse(msg.created_at) + ctx.queueTtlMs).toISOString();
    store.enqueue({ ...msg, session_id: id, expires_at }, ctx.queueCap);
    return json({
      id: msg.id,
      status: "queued",
      detail: `${why}; queued for ${
        Math.round(ctx.queueTtlMs / 1000)
      } s and delivered once when it reconnects`,
    }, 202);
  };

  return async (req) => {
    const url = new URL(req.url);
    const refused = refusedOrigin(req, ctx.port());
    if (refused) return json({ error: refused }, 403);
    if (url.pathname === "/ws") {
      // The token travels in the first (connect) frame: WebSocket clients cannot always set headers.
      if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return json({ error: "/ws expects a WebSocket upgrade" }, 426);
      }
      const { socket, response } = Deno.upgradeWebSocket(req);
      conns.accept(socket);
      return response;
    }
    if (!hasToken(req, url, ctx.token)) return json({ error: TOKEN_HELP }, 401);
    if (req.method === "GET" && url.pathname === "/") {
      return new Response(pageHtml(), { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (req.method === "GET" && url.pathname === "/healthz") {
      return json({ ok: true, sessions_connected: conns.count() });
    }
    if (req.method === "GET" && url.pathname === "/sessions") return json({ sessions: report() });
    if (ctx.messages) {
      const answer = await messageRoute(ctx.messages, req, url.pathname, report);
      if (answer) return json(answer.body, answer.status);
    }
    const m = /^\/sessions\/([^/]+)(\/messages)?$/.exec(url.pathname);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (!m[2] && req.method === "GET") {
        const s = report().find((x) => x.session_id === id);
        return s ? json(s) : unknownSession(id);
      }
      if (m[2] && req.method === "POST") return await postMessage(id, req);
    }
    return json({ error: `no route for ${req.method} ${url.pathname}` }, 404);
  };
}

/** The message API's routes (`hub/messages.ts` has the logic); `undefined` for any other path. */
async function messageRoute(
  messages: Messaging,
  req: Request,
  path: string,
  report: () => HubSession[],
): Promise<{ status: number; body: unknown } | undefined> {
  const body = async () => {
    try {
      return await req.json();
    } catch {
      return undefined;
    }
  };
  if (path === "/sessions" && req.method === "POST") return await messages.spawn(await body());
  const msg = /^\/messages\/([^/]+)(\/reply)?$/.exec(path);
  if (msg) {
    const id = decodeURIComponent(msg[1]!);
    if (!msg[2] && req.method === "GET") return messages.get(id);
    if (msg[2] && req.method === "POST") return messages.reply(id, await body());
    return undefined;
  }
  const ses = /^\/sessions\/([^/]+)(\/messages)?$/.exec(path);
  if (!ses) return undefined;
  const ref = decodeURIComponent(ses[1]!);
  if (ses[2] && req.method === "POST") return await messages.send(ref, await body());
  if (!ses[2] && req.method === "GET") {
    const all = report();
    const found = resolveSession(ref, all.map((s) => s.session_id));
    if ("status" in found) return { status: found.status, body: found.body };
    const s = all.find((x) => x.session_id === found.id)!;
    return { status: 200, body: { ...s, messages: messages.forSession(s.session_id) } };
  }
  return undefined;
}
