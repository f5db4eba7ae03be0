/**
 * A scriptable mock of the OpenAI Responses API on 127.0.0.1 (port 0), enough
 * for the real Codex CLI to run offline: assistant messages, shell tool calls,
 * chosen token counts, failed requests (HTTP 400 with a provider error body),
 * and slow streams that keep a turn open.
 *
 * @module
 */

/** One output item of a reply. */
export type MockItem =
  | { kind: "message"; text: string }
  | { kind: "shell"; cmd: string; callId?: string };

/** Token counts a reply reports in `response.completed` (defaults: 10 in, 5 out). */
export interface MockUsage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}

/** A provider error: the request fails with this HTTP status and JSON body instead of a stream. */
export interface MockError {
  status: number;
  body: unknown;
}

/** One reply to one `POST /v1/responses`. */
export interface MockReply {
  items: MockItem[];
  /** The token counts to report. */
  usage?: MockUsage;
  /**
   * Wait this long between the output items and `response.completed`: Codex 0.171 starts a tool
   * call as soon as its item is done, so this shows whether tool hooks run inside the request.
   */
  completeDelayMs?: number;
  /** Fail the request (e.g. HTTP 400) instead of answering. */
  error?: MockError;
  /** Wait this long before the first event. */
  delayMs?: number;
  /** Never finish the stream (until the client goes away): keeps a turn open. */
  hang?: boolean;
}

/** A running mock. */
export interface MockResponses {
  url: string;
  port: number;
  /** Bodies of every `POST /v1/responses`, in order. */
  requests: unknown[];
  /** Resolves when the `n`-th request (1-based) has arrived. */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Shorthand for a message reply. */
export const say = (text: string): MockReply => ({ items: [{ kind: "message", text }] });
/** Shorthand for a failed request: HTTP `status` with an OpenAI-style error body. */
export const failRequest = (status = 400, message = "Invalid request: the mock refuses it"): MockReply => ({
  items: [],
  error: {
    status,
    body: { error: { message, type: "invalid_request_error", param: null, code: "invalid_value" } },
  },
});
/** Shorthand for a shell-call reply. */
export const shell = (cmd: string, callId?: string): MockReply => ({
  items: [{ kind: "shell", cmd, ...(callId ? { callId } : {}) }],
});

function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data as object })}\n\n`;
}

/** Starts the mock; replies are served in order, then `"done"` messages. */
export function startMockResponses(replies: MockReply[]): MockResponses {
  const queue = [...replies];
  const requests: unknown[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let seq = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname.endsWith("/models")) {
        return Response.json({ data: [], models: [] });
      }
      if (req.method !== "POST" || !url.pathname.endsWith("/responses")) {
        return new Response("not found", { status: 404 });
      }
      requests.push(await req.json().catch(() => null));
      for (const w of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const reply = queue.shift() ?? say("done");
      const id = `resp_${++seq}`;
      if (reply.error) return Response.json(reply.error.body, { status: reply.error.status });
      const u = reply.usage ?? { input_tokens: 10, output_tokens: 5 };
      const enc = new TextEncoder();
      let clientGone: () => void = () => {};
      const gone = new Promise<void>((resolve) => (clientGone = resolve));
      const body = new ReadableStream<Uint8Array>({
        cancel() {
          clientGone();
        },
        async start(controller) {
          const send = (s: string) => controller.enqueue(enc.encode(s));
          try {
            if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
            send(sse("response.created", { response: { id } }));
            if (reply.hang) {
              await Promise.race([
                gone,
                new Promise<void>((resolve) => ac.signal.addEventListener("abort", () => resolve())),
              ]);
              controller.close();
              return;
            }
            for (const [i, item] of reply.items.entries()) {
              const out = item.kind === "message"
                ? {
                  type: "message",
                  role: "assistant",
                  id: `msg_${seq}_${i}`,
                  content: [{ type: "output_text", text: item.text }],
                }
                : {
                  type: "function_call",
                  id: `fc_${seq}_${i}`,
                  call_id: item.callId ?? `call_${seq}_${i}`,
                  name: "exec_command",
                  arguments: JSON.stringify({ cmd: item.cmd }),
                };
              send(sse("response.output_item.done", { output_index: i, item: out }));
            }
            if (reply.completeDelayMs) await new Promise((r) => setTimeout(r, reply.completeDelayMs));
            send(sse("response.completed", {
              response: {
                id,
                usage: {
                  input_tokens: u.input_tokens,
                  input_tokens_details: u.cached_tokens === undefined
                    ? null
                    : { cached_tokens: u.cached_tokens },
                  output_tokens: u.output_tokens,
                  output_tokens_details: u.reasoning_tokens === undefined
                    ? null
                    : { reasoning_tokens: u.reasoning_tokens },
                  total_tokens: u.input_tokens + u.output_tokens,
                },
              },
            }));
            controller.close();
          } catch {
            // the client went away mid-stream; nothing to do
          }
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  );
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    waitForRequests(n) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
