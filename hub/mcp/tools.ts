/**
 * lifeline's MCP tools, registered on an SDK `McpServer`. Each is a thin
 * client: sessions are read from the hub or the store (`sessions.ts`);
 * messages, asks, replies and spawning go through the hub's HTTP API, the one
 * implementation of messages. The sender of every message is the calling
 * session, read from the call's `_meta` (`caller.ts`).
 *
 * Every failure an agent can act on (an unknown or ended session, no hub, a
 * timeout) is a tool result with `isError` and a sentence saying what to do;
 * nothing a call does can stop the server.
 *
 * @module
 */

// The package's "./*" export points types at "*.js.d.ts"; the types are at "*.d.ts".
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import { type Caller, callerFromMeta, NO_CALLER, registerLazily } from "./caller.ts";
import { HubCallError, type HubClient } from "./hub_client.ts";
import { getSession, listSessions, type ToolSession } from "./sessions.ts";
import { MAX_ASK_SECONDS } from "./names.ts";

export { MAX_ASK_SECONDS, TOOL_NAMES } from "./names.ts";

/** What the tools need. */
export interface ToolDeps {
  stateDir: string;
  hub: HubClient;
  now: () => Date;
  home: string | undefined;
  staleBusyMs: number;
  /** How often an ask polls its message (default 500 ms). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Meta = Record<string, unknown> | undefined;

const text = (s: string, isError = false): CallToolResult => ({
  content: [{ type: "text", text: s }],
  ...(isError ? { isError: true } : {}),
});
const data = (v: unknown): CallToolResult => text(JSON.stringify(v, null, 2));

/** A failure as the agent reads it. */
function failure(e: unknown, what: string): CallToolResult {
  if (e instanceof HubCallError) {
    if (e.kind === 404 && e.candidates.length > 0) {
      return text(
        `${e.message}. Closest ids: ${e.candidates.join(", ")} (list_sessions shows them all)`,
        true,
      );
    }
    if (e.kind === 409 && e.candidates.length > 0) {
      return text(`${e.message}: it matches ${e.candidates.join(", ")}; give more of the id`, true);
    }
    if (e.kind === 409 && /has ended/.test(e.message)) {
      return text(
        `${what} failed: ${e.message}; it cannot take messages (spawn_session starts a new one)`,
        true,
      );
    }
    if (e.kind === 404 && /^no route/.test(e.message)) {
      return text(`${what} failed: the running hub does not offer it (${e.message}); restart the hub`, true);
    }
    return text(`${what} failed: ${e.message}`, true);
  }
  return text(`${what} failed: ${(e as Error).message ?? String(e)}`, true);
}

/** A session's line in `list_sessions`. */
function summary(s: ToolSession, me: string | undefined) {
  return {
    session_id: s.session_id,
    ...(s.session_id === me ? { you: true } : {}),
    status: s.status,
    turn_state: s.turn_state,
    cwd: s.cwd,
    model: s.model,
    last_seen: s.last_seen,
    turns: s.turns.length,
    ...(s.transport ? { transport: s.transport } : {}),
    ...(s.sources ? { sources: s.sources } : {}),
  };
}

/** `path` is `dir` or inside it. */
const under = (path: string | null, dir: string) =>
  path !== null && (path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`));

/** Registers every tool of {@link TOOL_NAMES} on `server`. */
export function registerTools(server: McpServer, d: ToolDeps): void {
  const src = { stateDir: d.stateDir, hub: d.hub, now: d.now, staleBusyMs: d.staleBusyMs };
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const registered = new Set<string>();
  /** The caller, registered in the store if it is new (a failure to write never fails the call). */
  const who = (meta: Meta, tool: string): Caller | undefined => {
    const c = callerFromMeta(meta);
    if (c && !registered.has(c.sessionId)) {
      try {
        registerLazily(d.stateDir, c, tool, { now: d.now, home: d.home });
        registered.add(c.sessionId);
      } catch { /* the store is unwritable: the call still works, the caller is just not listed */ }
    }
    return c;
  };
  const from = (c: Caller | undefined) => c?.sessionId ?? "mcp";
  const sid = z.string().min(1).describe("A session id, whole or a unique prefix (see list_sessions)");

  server.registerTool("whoami", {
    description: "Your own lifeline session: its id (give it to others so they can reach you), cwd, turn.",
  }, async (extra) => {
    const c = who(extra._meta, "whoami");
    if (!c) return text(NO_CALLER, true);
    let s: ToolSession | undefined;
    try {
      s = await getSession(src, c.sessionId);
    } catch { /* not readable: answer from _meta alone */ }
    return data({
      session_id: c.sessionId,
      turn_id: c.turnId,
      cwd: s?.cwd ?? c.cwd,
      model: c.model ?? s?.model ?? null,
      status: s?.status ?? null,
      turns: s?.turns.length ?? null,
      codex_version: c.codexVersion,
    });
  });

  server.registerTool("list_sessions", {
    description:
      "The Codex sessions lifeline knows (id, status, turn_state, cwd, model, last_seen, turns), " +
      "most recent first; yours is marked you: true.",
    inputSchema: {
      active_only: z.boolean().optional().describe("Only sessions that have not ended"),
      cwd: z.string().optional().describe("Only sessions working in this folder or below it"),
    },
  }, async (args, extra) => {
    const c = who(extra._meta, "list_sessions");
    try {
      const { sessions, hub } = await listSessions(src);
      const shown = sessions.filter((s) =>
        (!args.active_only || s.status !== "offline") && (args.cwd === undefined || under(s.cwd, args.cwd))
      );
      return data({
        sessions: shown.map((s) => summary(s, c?.sessionId)),
        ...(hub ? {} : {
          note: "No lifeline hub is running: sessions are read from the store; messages need the hub " +
            "(start it with `lifeline hub` or `deno task hub`)",
        }),
      });
    } catch (e) {
      return failure(e, "list_sessions");
    }
  });

  server.registerTool("get_session", {
    description: "One session in detail: its turns (prompt, outcome, tools used, failures, tokens), " +
      "failures, and its messages.",
    inputSchema: { session_id: sid },
  }, async (args, extra) => {
    who(extra._meta, "get_session");
    try {
      return data(await getSession(src, args.session_id));
    } catch (e) {
      return failure(e, "get_session");
    }
  });

  const post = (id: string, body: Record<string, unknown>) =>
    d.hub.post(`/sessions/${encodeURIComponent(id)}/messages`, body) as Promise<
      { id: string; status: string; via?: string | null }
    >;

  server.registerTool("send_message", {
    description: "Send a message (a notification, no answer awaited) to another session. " +
      "Returns the message id and its status (delivered, or queued until the session can take it).",
    inputSchema: { session_id: sid, text: z.string().min(1).describe("The message") },
  }, async (args, extra) => {
    const c = who(extra._meta, "send_message");
    try {
      const r = await post(args.session_id, { kind: "notify", text: args.text, from: from(c) });
      return data({ message_id: r.id, status: r.status, via: r.via ?? null });
    } catch (e) {
      return failure(e, "send_message");
    }
  });

  server.registerTool("ask_session", {
    description: "Ask another session a question and wait for its answer (its next final message, or its " +
      "reply). Returns the answer; when timeout_s passes first, returns the message id: check it later " +
      "with get_message.",
    inputSchema: {
      session_id: sid,
      text: z.string().min(1).describe("The question"),
      timeout_s: z.number().int().min(1).max(MAX_ASK_SECONDS).default(120).describe(
        "How long to wait for the answer, in seconds (default 120)",
      ),
    },
  }, async (args, extra) => {
    const c = who(extra._meta, "ask_session");
    let m: { id: string; status: string };
    try {
      m = await post(args.session_id, {
        kind: "ask",
        text: args.text,
        from: from(c),
        timeout_s: args.timeout_s,
      });
    } catch (e) {
      return failure(e, "ask_session");
    }
    const deadline = d.now().getTime() + args.timeout_s * 1000;
    let status = m.status;
    for (;;) {
      let msg: { status: string; reply?: string | null; error?: string | null; via?: string | null };
      try {
        msg = await d.hub.get(`/messages/${encodeURIComponent(m.id)}`) as typeof msg;
      } catch (e) {
        return failure(e, `ask_session (message ${m.id}, status ${status})`);
      }
      status = msg.status;
      if (status === "answered") {
        return data({ message_id: m.id, status, answer: msg.reply ?? "", via: msg.via ?? null });
      }
      if (status === "failed" || status === "refused") {
        return text(`The ask ${m.id} ${status}: ${msg.error ?? "no reason given"}`, true);
      }
      if (d.now().getTime() >= deadline || status === "expired") {
        return text(
          `No answer within ${args.timeout_s} s: message ${m.id} is ${status}. ` +
            `Check it later with get_message (message_id "${m.id}"); the session may still answer.`,
          true,
        );
      }
      await sleep(Math.min(d.pollMs ?? 500, Math.max(1, deadline - d.now().getTime())));
    }
  });

  server.registerTool("get_message", {
    description: "A message's status (queued, delivered, answered, failed, expired, refused) and its reply.",
    inputSchema: { message_id: z.string().min(1).describe("The id send_message or ask_session returned") },
  }, async (args, extra) => {
    who(extra._meta, "get_message");
    try {
      return data(await d.hub.get(`/messages/${encodeURIComponent(args.message_id)}`));
    } catch (e) {
      return failure(e, "get_message");
    }
  });

  server.registerTool("reply", {
    description: "Answer a question another session asked you (the id is in the message's id attribute).",
    inputSchema: {
      message_id: z.string().min(1).describe("The id of the ask you answer"),
      text: z.string().min(1).describe("Your answer"),
    },
  }, async (args, extra) => {
    const c = who(extra._meta, "reply");
    try {
      const path = `/messages/${encodeURIComponent(args.message_id)}/reply`;
      return data(await d.hub.post(path, { text: args.text, from: from(c) }));
    } catch (e) {
      return failure(e, "reply");
    }
  });

  server.registerTool("spawn_session", {
    description: "Start a new Codex session in a folder with a first message; returns its session id " +
      "(it is pending_first_turn until that message starts its first turn). It runs in Codex's " +
      "app-server daemon when one runs, else as a background `codex exec` that keeps running on its own.",
    inputSchema: {
      cwd: z.string().min(1).describe("The folder the new session works in (absolute)"),
      message: z.string().min(1).describe("Its first message: the task"),
      model: z.string().min(1).optional().describe("The model (default: Codex's configured model)"),
    },
  }, async (args, extra) => {
    const c = who(extra._meta, "spawn_session");
    try {
      const body = {
        cwd: args.cwd,
        message: args.message,
        ...(args.model ? { model: args.model } : {}),
        from: from(c),
      };
      return data(await d.hub.post("/sessions", body));
    } catch (e) {
      return failure(e, "spawn_session");
    }
  });
}
