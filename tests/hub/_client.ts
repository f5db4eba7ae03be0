/** A test sidecar: a real WebSocket client that behaves like `hub/sidecar.ts` (inbox + ack). */
import { Store } from "../../lifecycle/store/mod.ts";

export interface TestSidecar {
  frames: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  welcomed: Promise<void>;
  close(): void;
}

/** Connects as a sidecar for `sessionId`; `first` replaces the connect frame (for refusal tests). */
export function connectSidecar(
  url: string,
  token: string,
  sessionId: string,
  stateDir: string,
  first?: string,
  headers?: Record<string, string>,
): TestSidecar {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "/ws", headers ? { headers } as never : undefined);
  const frames: unknown[] = [];
  let welcome!: () => void;
  const welcomed = new Promise<void>((r) => (welcome = r));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
  });
  ws.onopen = () =>
    ws.send(first ?? JSON.stringify({ type: "connect", session_id: sessionId, pid: null, token }));
  ws.onmessage = (ev) => {
    const f = JSON.parse(String(ev.data));
    frames.push(f);
    if (f.type === "welcome") welcome();
    if (f.type === "deliver") {
      const store = Store.open(stateDir);
      store.addDelivery({
        id: f.id,
        session_id: sessionId,
        kind: f.kind,
        text: f.text,
        created_at: f.created_at,
      });
      store.close();
      ws.send(JSON.stringify({ type: "ack", id: f.id }));
    }
  };
  return { frames, closed, welcomed, close: () => ws.close(1000, "test") };
}
