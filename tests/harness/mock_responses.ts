/**
 * A scriptable mock of the OpenAI Responses API on 127.0.0.1 (port 0), enough
 * for the real Codex CLI to run offline (contract §12): assistant messages,
 * shell tool calls, and slow streams that keep a turn open.
 *
 * @module
 */

/** One output item of a reply. */
export type MockItem =
  | { kind: "message"; text: string }
  | { kind: "shell"; cmd: string; callId?: string };

/** One reply to one `POST /v1/responses`. */
export interface MockReply {
  items: MockItem[];
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
            send(sse("response.completed", {
              response: {
                id,
                usage: {
                  input_tokens: 10,
                  input_tokens_details: null,
                  output_tokens: 5,
                  output_tokens_details: null,
                  total_tokens: 15,
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
