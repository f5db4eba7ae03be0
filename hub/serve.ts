/**
 * Runs the hub in the foreground until a signal stops it: what `deno task
 * hub` and `lifeline hub` both do. It logs sidecar connections, messages and
 * trouble to stderr, one line each, with no secrets. `hub.json` is removed on
 * every exit this process can see: a signal (INT, TERM, HUP), an uncaught
 * error, or the end of the program.
 *
 * @module
 */

import { appServerSocketPath, type Settings } from "../lifecycle/settings.ts";
import { type Hub, startHub } from "./server.ts";
import { removeOwnHubInfo } from "./sidecar_files.ts";

/** Where {@link serveHub} writes. */
export interface ServeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Starts the hub, prints where it is, and resolves with the exit code once a signal stopped it. */
export function serveHub(settings: Settings, io: ServeIo): Promise<number> {
  const { stateDir, hubPort: port, queueTtlSeconds: ttl, queueCap: cap, staleBusySeconds } = settings;
  const log = (line: string) => {
    try {
      io.err(`${new Date().toISOString()} ${line}`);
    } catch { /* no terminal */ }
  };
  return new Promise((done) => {
    let hub: Hub | undefined;
    // Registered before the hub starts: a signal that comes early must still remove hub.json.
    const stop = async () => {
      for (const sig of SIGNALS) Deno.removeSignalListener(sig, stop);
      removeOwnHubInfo(stateDir);
      await hub?.close();
      done(0);
    };
    const crash = (what: string) => (e: Event) => {
      e.preventDefault();
      const err = (e as ErrorEvent).error ?? (e as PromiseRejectionEvent).reason;
      log(`${what}: ${(err as Error)?.message ?? err}; stopping`);
      removeOwnHubInfo(stateDir);
      done(1);
    };
    globalThis.addEventListener("error", crash("uncaught error"));
    globalThis.addEventListener("unhandledrejection", crash("unhandled rejection"));
    globalThis.addEventListener("unload", () => removeOwnHubInfo(stateDir));
    for (const sig of SIGNALS) Deno.addSignalListener(sig, stop);
    try {
      const appServer = settings.appServer === "on"
        ? { socketPath: appServerSocketPath(settings.codexHome) }
        : undefined;
      const { textMode, home, codexBin, codexHome } = settings;
      hub = startHub({
        stateDir,
        port,
        queueTtlMs: ttl * 1000,
        queueCap: cap,
        staleBusySeconds,
        appServer,
        textMode,
        home,
        // Sessions it starts with `codex exec` use the Codex home whose daemon it watches.
        codex: { bin: codexBin, env: { CODEX_HOME: codexHome } },
        log,
      });
    } catch (e) {
      for (const sig of SIGNALS) Deno.removeSignalListener(sig, stop);
      io.err(`lifeline hub: cannot start on 127.0.0.1:${port}: ${(e as Error).message}`);
      done(1);
      return;
    }
    io.out(`lifeline hub on ${hub.url} (store ${stateDir})`);
    io.out(`page: ${hub.url}/?token=${hub.token}`);
    io.out(`API:  curl -H "Authorization: Bearer $(cat ${stateDir}/hub.token)" ${hub.url}/sessions`);
  });
}
