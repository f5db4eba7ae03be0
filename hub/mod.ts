/**
 * `deno task hub`: serves the live page and the sidecar endpoint on
 * 127.0.0.1 (`LIFELINE_HUB_PORT`, default 7571) until interrupted. It logs
 * sidecar connections, messages and trouble to stderr, one line each, with no
 * secrets. `hub.json` is removed on every exit this process can see: a
 * signal (INT, TERM, HUP), an uncaught error, or the end of the program.
 *
 * @module
 */

import { type Hub, startHub } from "./server.ts";
import { appServerSocketPath, readSettings } from "../lifecycle/settings.ts";

export { type Hub, type HubOptions, type HubSession, hubToken, startHub } from "./server.ts";
export { backoffMs, runSidecar } from "./sidecar.ts";
export { CLOSE, parseSidecarFrame } from "./protocol.ts";
export { heartbeatPath, type HubInfo, hubInUse, readHubInfo } from "./sidecar_files.ts";
import { removeOwnHubInfo } from "./sidecar_files.ts";

if (import.meta.main) {
  const settings = readSettings((k) => Deno.env.get(k));
  const { stateDir, hubPort: port, queueTtlSeconds: ttl, queueCap: cap, staleBusySeconds } = settings;
  const enc = new TextEncoder();
  const log = (line: string) => {
    try {
      Deno.stderr.writeSync(enc.encode(`${new Date().toISOString()} ${line}\n`));
    } catch { /* no terminal */ }
  };
  let hub: Hub | undefined;
  // Registered before the hub starts: a signal that comes early must still remove hub.json.
  const stop = async () => {
    removeOwnHubInfo(stateDir);
    await hub?.close();
    Deno.exit(0);
  };
  const crash = (what: string) => (e: Event) => {
    e.preventDefault();
    const err = (e as ErrorEvent).error ?? (e as PromiseRejectionEvent).reason;
    log(`${what}: ${(err as Error)?.message ?? err}; stopping`);
    removeOwnHubInfo(stateDir);
    Deno.exit(1);
  };
  globalThis.addEventListener("error", crash("uncaught error"));
  globalThis.addEventListener("unhandledrejection", crash("unhandled rejection"));
  globalThis.addEventListener("unload", () => removeOwnHubInfo(stateDir));
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) Deno.addSignalListener(sig, stop);
  try {
    const appServer = settings.appServer === "on"
      ? { socketPath: appServerSocketPath(settings.codexHome) }
      : undefined;
    const { textMode, home } = settings;
    hub = startHub({
      stateDir,
      port,
      queueTtlMs: ttl * 1000,
      queueCap: cap,
      staleBusySeconds,
      appServer,
      textMode,
      home,
      log,
    });
  } catch (e) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`lifeline hub: cannot start on 127.0.0.1:${port}: ${(e as Error).message}\n`),
    );
    Deno.exit(1);
  }
  const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
  out(`lifeline hub on ${hub.url} (store ${stateDir})`);
  out(`page: ${hub.url}/?token=${hub.token}`);
  out(`API:  curl -H "Authorization: Bearer $(cat ${stateDir}/hub.token)" ${hub.url}/sessions`);
}
