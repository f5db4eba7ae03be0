/**
 * `deno task hub` / `lifeline hub`: serves the live page, the message API and
 * the sidecar endpoint on 127.0.0.1 (`LIFELINE_HUB_PORT`, default 7571) until
 * interrupted (see `hub/serve.ts`).
 *
 * @module
 */

import { serveHub } from "./serve.ts";
import { readSettings } from "../lifecycle/settings.ts";

export { type Hub, type HubOptions, type HubSession, hubToken, startHub } from "./server.ts";
export { backoffMs, runSidecar } from "./sidecar.ts";
export { CLOSE, parseSidecarFrame } from "./protocol.ts";
export { serveHub, type ServeIo } from "./serve.ts";
export { heartbeatPath, type HubInfo, hubInUse, readHubInfo } from "./sidecar_files.ts";

if (import.meta.main) {
  const line = (w: typeof Deno.stdout) => (s: string) => w.writeSync(new TextEncoder().encode(s + "\n"));
  const settings = readSettings((k) => Deno.env.get(k));
  Deno.exit(await serveHub(settings, { out: line(Deno.stdout), err: line(Deno.stderr) }));
}
