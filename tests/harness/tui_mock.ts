/**
 * The mock Responses API for the interactive TUI. The TUI runs an extra model
 * request for an internal title thread next to a turn's own request, so one
 * reply queue would hand a scripted reply to whichever request came first.
 * This front routes each request by its body (the title prompt, or a turn) to
 * one of two `mock_responses.ts` instances and keeps one timed log of both.
 *
 * @module
 */

import { type MockReply, type MockResponses, say, startMockResponses } from "./mock_responses.ts";

/** The start of the prompt Codex sends for an internal title thread. */
export const TITLE_PROMPT = "Generate a concise, single-line task title";

/** What kind of request the TUI sent. */
export type RequestKind = "turn" | "title";

/** One logged `POST /v1/responses`. */
export interface LoggedRequest {
  /** `Date.now()` when it arrived. */
  at: number;
  kind: RequestKind;
  body: unknown;
}

/** A running routed mock. */
export interface TuiMock {
  url: string;
  log: LoggedRequest[];
  /** Resolves when `n` requests of `kind` have arrived (rejects after `timeoutMs`). */
  waitFor(kind: RequestKind, n: number, timeoutMs?: number): Promise<void>;
  count(kind: RequestKind): number;
  close(): Promise<void>;
}

/** Starts the routed mock: turn requests get `replies` in order, title requests `titleText`. */
export function startTuiMock(
  replies: MockReply[],
  titleText = JSON.stringify({ title: "Mock title" }),
): TuiMock {
  const turns: MockResponses = startMockResponses(replies);
  const titles: MockResponses = startMockResponses(Array.from({ length: 64 }, () => say(titleText)));
  const log: LoggedRequest[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const text = req.method === "POST" ? await req.text() : undefined;
      const kind: RequestKind = text?.includes(TITLE_PROMPT) ? "title" : "turn";
      if (req.method === "POST" && url.pathname.endsWith("/responses")) {
        let body: unknown = null;
        try {
          body = JSON.parse(text ?? "null");
        } catch { /* logged as null */ }
        log.push({ at: Date.now(), kind, body });
      }
      const target = kind === "title" ? titles : turns;
      const upstream = target.url.replace(/\/v1$/, "") + url.pathname + url.search;
      try {
        const res = await fetch(upstream, {
          method: req.method,
          headers: { "content-type": req.headers.get("content-type") ?? "application/json" },
          ...(text !== undefined ? { body: text } : {}),
        });
        // No request signal: a client going away cancels this body, which closes the upstream stream.
        return new Response(res.body, { status: res.status, headers: res.headers });
      } catch {
        return new Response("mock upstream gone", { status: 502 });
      }
    },
  );
  const count = (kind: RequestKind) => log.filter((r) => r.kind === kind).length;
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    log,
    count,
    async waitFor(kind, n, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (count(kind) < n) {
        if (Date.now() > end) {
          throw new Error(`Mock saw ${count(kind)} "${kind}" requests, expected ${n} within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      ac.abort();
      await server.finished;
      await turns.close();
      await titles.close();
    },
  };
}
