/**
 * A mock of the OpenAI Responses API whose replies are computed from each
 * request, for driving the real Codex through MCP tool calls: a reply may
 * call a tool in an MCP namespace (`{"type":"function_call","namespace":
 * "mcp__<server>","name":"<tool>",…}`, the one form Codex accepts) with
 * arguments read from earlier tool outputs, or wait for an event before it
 * answers (a gate), which keeps a turn open without sleeping.
 *
 * @module
 */

/** One output item. */
export type ScriptedItem =
  | { kind: "message"; text: string }
  | { kind: "call"; namespace: string; name: string; args: Record<string, unknown>; callId?: string };

/** What the script gets: the request body and its 1-based number. */
export interface ScriptedRequest {
  n: number;
  body: { input?: unknown[]; tools?: unknown[] } & Record<string, unknown>;
}

/** A script: the items of the reply to one request. */
export type Script = (req: ScriptedRequest) => ScriptedItem[] | Promise<ScriptedItem[]>;

/** A running mock. */
export interface ScriptedResponses {
  url: string;
  requests: ScriptedRequest["body"][];
  close(): Promise<void>;
}

/** The outputs of the function calls in a request's input, by call id. */
export function toolOutputs(body: ScriptedRequest["body"]): Map<string, string> {
  const out = new Map<string, string>();
  for (const it of body.input ?? []) {
    const i = it as { type?: string; call_id?: string; output?: unknown };
    if (i.type !== "function_call_output" || !i.call_id) continue;
    const o = i.output;
    const text = typeof o === "string"
      ? o
      : Array.isArray(o)
      ? o.map((c) => (c as { text?: string }).text ?? "").join("")
      : JSON.stringify(o);
    out.set(i.call_id, text);
  }
  return out;
}

/** Every text the request's input carries (messages and tool outputs), joined. */
export function inputText(body: ScriptedRequest["body"]): string {
  return JSON.stringify(body.input ?? []);
}

function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data as object })}\n\n`;
}

/** Starts the mock on 127.0.0.1. */
export function startScriptedResponses(script: Script): ScriptedResponses {
  const requests: ScriptedRequest["body"][] = [];
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
      const body = (await req.json().catch(() => ({}))) as ScriptedRequest["body"];
      requests.push(body);
      const n = requests.length;
      const id = `resp_${++seq}`;
      const enc = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (s: string) => controller.enqueue(enc.encode(s));
          try {
            send(sse("response.created", { response: { id } }));
            const items = await script({ n, body });
            for (const [i, item] of items.entries()) {
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
                  namespace: item.namespace,
                  name: item.name,
                  arguments: JSON.stringify(item.args),
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
            // the client went away mid-stream
          }
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
