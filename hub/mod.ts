/**
 * `deno task hub`: serves the live page and the sidecar endpoint on
 * 127.0.0.1 (`LIFELINE_HUB_PORT`, default 7571) until interrupted.
 *
 * @module
 */

import { type Hub, startHub } from "./server.ts";
import { appServerSocketPath, readSettings } from "../lifecycle/settings.ts";

export { type Hub, type HubOptions, type HubSession, hubToken, startHub } from "./server.ts";
export { backoffMs, runSidecar } from "./sidecar.ts";
export { CLOSE, parseSidecarFrame } from "./protocol.ts";
export { heartbeatPath, type HubInfo, hubInUse, readHubInfo } from "./sidecar_files.ts";

if (import.meta.main) {
  const settings = readSettings((k) => Deno.env.get(k));
  const { stateDir, hubPort: port, queueTtlSeconds: ttl, queueCap: cap, staleBusySeconds } = settings;
  let hub: Hub;
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
  const stop = async () => {
    await hub.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
