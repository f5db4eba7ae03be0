/**
 * A small stand-in for the hub's message API (the contract the MCP server is
 * written against: sessions by whole id or unique prefix, notify and ask
 * messages with their status and reply, explicit replies, spawning), on
 * 127.0.0.1 over a real store. It reaches sessions the way the hub does for
 * a session without an app-server daemon: a message becomes a pending
 * delivery in the store, which the session's next lifeline hook (a Stop
 * block while a turn runs) hands to Codex; an ask is answered by the final
 * message of the turn that took it. It writes `hub.json` and `hub.token`
 * like the real hub, so clients find it the same way.
 *
 * @module
 */

import { Store } from "../../lifecycle/store/mod.ts";
import { sessionReport } from "../../lifecycle/status.ts";
import { hubToken, removeHubInfo, writeHubInfo } from "../../hub/sidecar_files.ts";

/** One message as the fake hub keeps it. */
export interface FakeMessage {
  id: string;
  session_id: string;
  kind: "notify" | "ask";
  from: string | null;
  text: string;
  timeout_s: number;
  created_at: string;
  /** Set by an explicit reply. */
  reply: string | null;
}

/** A running fake hub. */
export interface FakeHub {
  url: string;
  token: string;
  messages: FakeMessage[];
  spawned: Record<string, unknown>[];
  /** Resolves with the `n`-th message (1-based) once it is posted. */
  message(n: number): Promise<FakeMessage>;
  /** Stops answering; `keepInfo` leaves `hub.json` behind, as a hub that died does. */
  close(keepInfo?: boolean): Promise<void>;
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

/** The text as the real hub frames it for Codex. */
export function frame(m: Pick<FakeMessage, "id" | "kind" | "from" | "text">): string {
  const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll('"', "&quot;");
  const ask = m.kind === "ask"
    ? `\nThis is a question: answer it in your final message (or with the MCP reply tool, message_id "${m.id}").`
    : "";
  return `<lifeline-message from="${esc(m.from ?? "unknown")}" kind="${m.kind}" id="${m.id}">` +
    `${esc(m.text)}</lifeline-message>${ask}`;
}

/** Starts the fake hub for `stateDir`. */
export function startFakeMessageHub(stateDir: string, now: () => Date = () => new Date()): FakeHub {
  const token = hubToken(stateDir);
  const messages: FakeMessage[] = [];
  const spawned: Record<string, unknown>[] = [];
  const waiters: { n: number; resolve: (m: FakeMessage) => void }[] = [];
  const withStore = <T>(fn: (s: Store) => T): T => {
    const s = Store.open(stateDir);
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const resolve = (given: string): { id: string } | Response =>
    withStore((s) => {
      const ids = s.sessions().map((x) => x.session_id);
      if (ids.includes(given)) return { id: given };
      const m = ids.filter((i) => i.startsWith(given));
      if (m.length === 1) return { id: m[0]! };
      if (m.length > 1) return json({ error: `session prefix "${given}" is ambiguous`, candidates: m }, 409);
      return json({ error: `unknown session ${JSON.stringify(given)}`, candidates: ids.slice(0, 5) }, 404);
    });
  const view = (m: FakeMessage) =>
    withStore((s) => {
      const d = s.deliveries(m.session_id).find((x) => x.id === m.id);
      let status = d?.status === "delivered" ? "delivered" : "queued";
      let reply = m.reply;
      if (m.reply !== null) status = "answered";
      else if (m.kind === "ask" && d?.delivered_key) {
        // The turn the message was given in: answered by that turn's final message once it completed.
        const obs = s.journal().find((o) => o.key === d.delivered_key);
        const turn = obs?.turn_id ? s.turn(m.session_id, obs.turn_id) : undefined;
        if (turn?.outcome === "completed") [status, reply] = ["answered", turn.last_assistant_message];
      }
      if (status !== "answered" && m.kind === "ask") {
        if (now().getTime() > Date.parse(m.created_at) + m.timeout_s * 1000) status = "expired";
      }
      return {
        id: m.id,
        session_id: m.session_id,
        kind: m.kind,
        from: m.from,
        text: m.text,
        status,
        via: "hook",
        reply,
        created_at: m.created_at,
        updated_at: now().toISOString(),
        error: null,
      };
    });
  const sessions = () =>
    withStore((s) =>
      s.sessions().map((row) => ({
        ...sessionReport(s, row),
        transport: "disconnected",
        sources: ["hook"],
      }))
    );

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (req.headers.get("authorization") !== `Bearer ${token}`) return json({ error: "wrong token" }, 401);
    const p = url.pathname;
    if (req.method === "GET" && p === "/healthz") return json({ ok: true });
    if (req.method === "GET" && p === "/sessions") return json(sessions());
    if (req.method === "POST" && p === "/sessions") {
      const b = await req.json() as Record<string, unknown>;
      spawned.push(b);
      return json({ session_id: crypto.randomUUID(), message_id: crypto.randomUUID(), via: "exec" }, 201);
    }
    let m = /^\/sessions\/([^/]+)(\/messages)?$/.exec(p);
    if (m) {
      const r = resolve(decodeURIComponent(m[1]!));
      if (r instanceof Response) return r;
      const s = sessions().find((x) => x.session_id === r.id)!;
      if (!m[2] && req.method === "GET") {
        return json({ ...s, messages: messages.filter((x) => x.session_id === r.id).reverse().map(view) });
      }
      if (m[2] && req.method === "POST") {
        const b = await req.json() as Record<string, unknown>;
        if ((b.kind !== "notify" && b.kind !== "ask") || typeof b.text !== "string" || b.text === "") {
          return json({ error: 'field "kind" must be "notify" or "ask" and "text" a non-empty string' }, 400);
        }
        if (s.status === "offline") {
          return json({ error: `session ${r.id} has ended (${s.end_reason})`, status: "refused" }, 409);
        }
        const msg: FakeMessage = {
          id: crypto.randomUUID(),
          session_id: r.id,
          kind: b.kind,
          from: typeof b.from === "string" ? b.from : null,
          text: b.text,
          timeout_s: typeof b.timeout_s === "number" ? b.timeout_s : 120,
          created_at: now().toISOString(),
          reply: null,
        };
        withStore((st) =>
          st.addDelivery({
            id: msg.id,
            session_id: r.id,
            kind: msg.kind,
            text: frame(msg),
            created_at: msg.created_at,
          })
        );
        messages.push(msg);
        for (const w of waiters.filter((w) => messages.length >= w.n)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(messages[w.n - 1]!);
        }
        return json({ id: msg.id, status: "queued", via: "hook" }, 202);
      }
    }
    m = /^\/messages\/([^/]+)(\/reply)?$/.exec(p);
    if (m) {
      const msg = messages.find((x) => x.id === decodeURIComponent(m![1]!));
      if (!msg) return json({ error: `unknown message "${m[1]}"` }, 404);
      if (!m[2] && req.method === "GET") return json(view(msg));
      if (m[2] && req.method === "POST") {
        if (msg.kind !== "ask") return json({ error: `message ${msg.id} is not an ask` }, 409);
        const b = await req.json() as { text?: unknown };
        msg.reply = String(b.text ?? "");
        return json({ id: msg.id, status: "answered" });
      }
    }
    return json({ error: `no route for ${req.method} ${p}` }, 404);
  };

  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    handler,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  writeHubInfo(stateDir, { url, pid: Deno.pid, started_at: now().toISOString() });
  return {
    url,
    token,
    messages,
    spawned,
    message(n) {
      if (messages.length >= n) return Promise.resolve(messages[n - 1]!);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close(keepInfo = false) {
      ac.abort();
      await server.finished;
      if (!keepInfo) removeHubInfo(stateDir);
    },
  };
}
