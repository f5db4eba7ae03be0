/**
 * Pushed updates for the page (`GET /events`, Server-Sent Events): while
 * anyone listens, the hub takes a snapshot of the sessions every interval (and
 * at once when poked, after a message or a sidecar's coming and going) and
 * sends it only when it changed. Hooks write the store from other processes,
 * so a change is found by comparing snapshots, not by being told.
 *
 * Each event is `event: sessions` with `data: {"sessions":[…]}` (the
 * `/sessions` shape); a comment line every 15 s keeps the stream alive.
 *
 * @module
 */

/** The update hub the routes and the server share. */
export interface Updates {
  /** Takes a snapshot soon, instead of at the next interval. */
  poke(): void;
  /**
   * Adds a listener; it gets the current snapshot first. `end` is called when the hub closes.
   * Returns the unsubscribe function.
   */
  subscribe(send: (chunk: string) => void, end: () => void): () => void;
  /** Listeners now. */
  listeners(): number;
  close(): void;
}

/**
 * Starts the update hub. `snapshot` returns the event's data and a digest that changes whenever
 * anything the page shows changed (it may cover more than the data, such as message statuses).
 */
export function updates(o: {
  snapshot: () => { data: string; digest: string };
  intervalMs: number;
  keepAliveMs?: number;
}): Updates {
  const listeners = new Set<(chunk: string) => void>();
  const ends = new Map<(chunk: string) => void, () => void>();
  let last = "";
  let lastData = "";
  let soon: ReturnType<typeof setTimeout> | undefined;
  const frame = (data: string) => `event: sessions\ndata: ${data}\n\n`;
  const broadcast = (chunk: string) => {
    for (const l of listeners) {
      try {
        l(chunk);
      } catch {
        listeners.delete(l);
      }
    }
  };
  const tick = () => {
    if (listeners.size === 0) return;
    let s: { data: string; digest: string };
    try {
      s = o.snapshot();
    } catch {
      return; // the store is busy: the next tick tries again
    }
    if (s.digest === last) return;
    last = s.digest;
    lastData = s.data;
    broadcast(frame(s.data));
  };
  const timer = setInterval(tick, o.intervalMs);
  const keepAlive = setInterval(() => broadcast(": keep-alive\n\n"), o.keepAliveMs ?? 15_000);
  return {
    poke() {
      if (soon === undefined) {
        soon = setTimeout(() => {
          soon = undefined;
          tick();
        }, 0);
      }
    },
    subscribe(send, end) {
      if (listeners.size === 0) last = ""; // nobody watched: the stored snapshot may be old
      listeners.add(send);
      ends.set(send, end);
      if (last === "") tick();
      else send(frame(lastData));
      return () => {
        listeners.delete(send);
        ends.delete(send);
      };
    },
    listeners: () => listeners.size,
    close() {
      clearInterval(timer);
      clearInterval(keepAlive);
      if (soon !== undefined) clearTimeout(soon);
      for (const end of ends.values()) {
        try {
          end();
        } catch { /* already closed */ }
      }
      listeners.clear();
      ends.clear();
    },
  };
}

/** The `GET /events` response: a stream that follows `u` until the client goes away. */
export function eventStream(u: Updates, headers: Record<string, string>, onGone = () => {}): Response {
  const enc = new TextEncoder();
  let unsubscribe = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      unsubscribe = u.subscribe((chunk) => controller.enqueue(enc.encode(chunk)), () => controller.close());
    },
    cancel() {
      unsubscribe();
      onGone();
    },
  });
  return new Response(body, { headers });
}
