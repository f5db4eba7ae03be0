/**
 * The hub's TCP front door on 127.0.0.1: it accepts connections itself and
 * relays each one to the HTTP server, which listens on a Unix socket in a
 * private folder. `Deno.serve` owns its accept loop and dies on the first
 * failed accept ("Too many open files"), so any local process could stop the
 * hub with a thousand idle connections. Here the loop is ours:
 *
 * - at most `maxConnections` at once; one more gets `503` and is closed;
 * - a connection that sends nothing within `firstByteMs`, or is silent both ways for `idleMs`, is closed;
 * - a failed accept (no file descriptors left) is logged once per burst and retried after a pause.
 *
 * @module
 */

/** Options of {@link frontDoor}. */
export interface FrontDoorOptions {
  hostname: string;
  /** 0 = any free port. */
  port: number;
  /** The Unix socket of the HTTP server behind the door. */
  upstream: string;
  maxConnections: number;
  firstByteMs: number;
  idleMs: number;
  /** One line per notable event (refusals, failed accepts); never secrets. */
  log: (line: string) => void;
}

/** A listening front door. */
export interface FrontDoor {
  port: number;
  /** Connections open now. */
  active(): number;
  close(): void;
}

/** The soft limit on open files of this process, from `/proc/self/limits` (undefined when unknown). */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(Deno.readTextFileSync("/proc/self/limits"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default connection cap: 256, or less when the open-file limit is low. Each relayed connection
 * holds three descriptors (client, relay, server side); 100 stay free for the store and the rest.
 */
export function defaultMaxConnections(limit = openFileLimit()): number {
  if (limit === undefined) return 256;
  return Math.max(8, Math.min(256, Math.floor((limit - 100) / 3)));
}

const REFUSAL = (() => {
  const body = JSON.stringify({ error: "the hub has too many open connections; try again shortly" });
  return new TextEncoder().encode(
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n" +
      `retry-after: 1\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
})();

interface Relay {
  openedAt: number;
  lastActivity: number;
  gotByte: boolean;
  close(): void;
}

function closeQuietly(c: Deno.Conn | undefined): void {
  try {
    c?.close();
  } catch { /* already closed */ }
}

/** Opens the front door. Throws when the port cannot be bound. */
export function frontDoor(o: FrontDoorOptions): FrontDoor {
  // Trouble comes in bursts (a flood); one line per kind of trouble per second is enough.
  const lastSaid = new Map<string, number>();
  const say = (kind: string, line: string) => {
    const t = Date.now();
    if (t - (lastSaid.get(kind) ?? 0) < 1000) return;
    lastSaid.set(kind, t);
    o.log(line);
  };
  const listener = Deno.listen({ hostname: o.hostname, port: o.port });
  const relays = new Set<Relay>();
  let closed = false;
  let acceptFailing = false;
  let refusing = false;

  const serve = async (client: Deno.TcpConn) => {
    const r: Relay = {
      openedAt: Date.now(),
      lastActivity: Date.now(),
      gotByte: false,
      close: () => closeQuietly(client),
    };
    relays.add(r);
    let upstream: Deno.UnixConn | undefined;
    try {
      upstream = await Deno.connect({ transport: "unix", path: o.upstream });
      const u = upstream;
      r.close = () => {
        closeQuietly(client);
        closeQuietly(u);
      };
      const seen = (inbound: boolean) =>
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctl) {
            r.lastActivity = Date.now();
            if (inbound) r.gotByte = true;
            ctl.enqueue(chunk);
          },
        });
      await Promise.allSettled([
        client.readable.pipeThrough(seen(true)).pipeTo(u.writable),
        u.readable.pipeThrough(seen(false)).pipeTo(client.writable),
      ]);
    } catch (e) {
      say("upstream", `connection dropped: cannot reach the hub's server: ${(e as Error).message}`);
    } finally {
      relays.delete(r);
      r.close();
    }
  };

  // A refusal is written, then the client's request is drained for up to a second: closing at once
  // with unread input resets the connection, and the client would never see the 503. At most 32
  // refusals linger; beyond that a connection is closed without an answer.
  let lingering = 0;
  const refuse = async (client: Deno.TcpConn) => {
    if (lingering >= 32) return closeQuietly(client);
    lingering++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await client.write(REFUSAL);
      await client.closeWrite();
      const drain = (async () => {
        const buf = new Uint8Array(4096);
        while ((await client.read(buf)) !== null) { /* discard */ }
      })();
      await Promise.race([drain, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    } catch {
      /* the client went away */
    } finally {
      clearTimeout(timer);
      closeQuietly(client);
      lingering--;
    }
  };

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const r of relays) {
      if ((!r.gotByte && now - r.openedAt > o.firstByteMs) || now - r.lastActivity > o.idleMs) {
        relays.delete(r);
        r.close();
      }
    }
  }, Math.max(50, Math.min(1000, Math.floor(o.firstByteMs / 4))));

  (async () => {
    while (!closed) {
      let client: Deno.TcpConn;
      try {
        client = await listener.accept();
      } catch (e) {
        if (closed) return;
        if (!acceptFailing) o.log(`cannot accept a connection (${(e as Error).message}); retrying`);
        acceptFailing = true;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (acceptFailing) o.log("accepting connections again");
      acceptFailing = false;
      if (relays.size >= o.maxConnections) {
        if (!refusing) o.log(`refusing connections: ${o.maxConnections} are open (the cap)`);
        refusing = true;
        void refuse(client);
        continue;
      }
      refusing = false;
      void serve(client);
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    active: () => relays.size,
    close() {
      closed = true;
      clearInterval(sweeper);
      try {
        listener.close();
      } catch { /* closed */ }
      for (const r of relays) r.close();
      relays.clear();
    },
  };
}
