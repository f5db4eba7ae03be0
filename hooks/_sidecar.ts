/**
 * Keeping a session's hub sidecar alive, from the hooks' side: when the hub
 * is in use and the session's sidecar does not beat, start it detached. A
 * user without a hub gets no extra process. The files this relies on
 * (`hub.json`, heartbeats) belong to the hub: `hub/sidecar_files.ts`.
 *
 * @module
 */

import {
  hubInUse,
  sidecarAlive,
  sidecarScriptPath,
  sidecarsDir,
  writeHeartbeat,
} from "../hub/sidecar_files.ts";

// Re-exported while other folders still import them from here; new code imports hub/sidecar_files.ts.
export {
  HEARTBEAT_STALE_MS,
  heartbeatPath,
  type HubInfo,
  hubInUse,
  readHubInfo,
  sidecarAlive,
} from "../hub/sidecar_files.ts";

/** The `deno run` arguments of a sidecar (least privilege: the state dir, loopback, `sh` for `kill -0`). */
export function sidecarArgs(
  o: { stateDir: string; sessionId: string; codexPid: number | null; script: string },
): string[] {
  return [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    `--allow-read=${o.stateDir}`,
    `--allow-write=${o.stateDir}`,
    "--allow-net=127.0.0.1,localhost",
    "--allow-env=LIFELINE_HUB_URL,HOME",
    "--allow-run=sh",
    o.script,
    `--state-dir=${o.stateDir}`,
    `--session=${o.sessionId}`,
    ...(o.codexPid ? [`--codex-pid=${o.codexPid}`] : []),
  ];
}

/**
 * Starts the session's sidecar detached when the hub is in use, sidecars are
 * not off, and none beats. Returns whether it started one. Never throws.
 */
export function ensureSidecar(o: {
  stateDir: string;
  sessionId: string;
  codexPid: number | null;
  hubUrl: string | undefined;
  sidecarSetting: string | undefined;
  now: number;
}): boolean {
  if (o.sidecarSetting === "off" || !hubInUse(o.stateDir, o.hubUrl)) return false;
  if (sidecarAlive(o.stateDir, o.sessionId, o.now)) return false;
  let deno: string;
  try {
    deno = Deno.execPath();
  } catch {
    return false;
  }
  try {
    Deno.mkdirSync(sidecarsDir(o.stateDir), { recursive: true, mode: 0o700 });
    // Claim the start with the heartbeat file, so that concurrent hooks start one sidecar.
    writeHeartbeat(o.stateDir, o.sessionId, "starting");
    const script = sidecarScriptPath();
    const child = new Deno.Command(deno, {
      args: sidecarArgs({ stateDir: o.stateDir, sessionId: o.sessionId, codexPid: o.codexPid, script }),
      stdin: "null",
      stdout: "null",
      stderr: "null",
      ...(o.hubUrl ? { env: { LIFELINE_HUB_URL: o.hubUrl } } : {}),
    }).spawn();
    child.unref();
    return true;
  } catch {
    return false;
  }
}
