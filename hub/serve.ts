/**
 * Runs the hub in the foreground until SIGINT or SIGTERM: what `deno task
 * hub` and `lifeline hub` both do.
 *
 * @module
 */

import type { Settings } from "../lifecycle/settings.ts";
import { type Hub, startHub } from "./server.ts";

/** Where {@link serveHub} writes. */
export interface ServeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Starts the hub, prints where it is, and resolves with the exit code once a signal stopped it. */
export function serveHub(settings: Settings, io: ServeIo): Promise<number> {
  const { stateDir, hubPort: port, queueTtlSeconds: ttl, queueCap: cap, staleBusySeconds } = settings;
  let hub: Hub;
  try {
    hub = startHub({ stateDir, port, queueTtlMs: ttl * 1000, queueCap: cap, staleBusySeconds });
  } catch (e) {
    io.err(`lifeline hub: cannot start on 127.0.0.1:${port}: ${(e as Error).message}`);
    return Promise.resolve(1);
  }
  io.out(`lifeline hub on ${hub.url} (store ${stateDir})`);
  io.out(`page: ${hub.url}/?token=${hub.token}`);
  io.out(`API:  curl -H "Authorization: Bearer $(cat ${stateDir}/hub.token)" ${hub.url}/sessions`);
  return new Promise((done) => {
    const stop = async () => {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
      await hub.close();
      done(0);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
}
