/**
 * Keeping a session's hub sidecar alive, from the hooks' side: whether the
 * hub is in use, whether the session's sidecar beats, and starting it
 * detached when it does not. A user without a hub gets no extra process.
 *
 * @module
 */

/** A sidecar whose heartbeat is older than this is taken for dead. */
export const HEARTBEAT_STALE_MS = 10_000;

/** Where a session's sidecar heartbeat lives. */
export function heartbeatPath(stateDir: string, sessionId: string): string {
  return `${stateDir}/sidecars/${encodeURIComponent(sessionId)}.heartbeat`;
}

/** What the hub writes while it runs. */
export interface HubInfo {
  url: string;
  pid: number;
  started_at: string;
}

/** The running hub as recorded in the state dir, if any. */
export function readHubInfo(stateDir: string): HubInfo | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(`${stateDir}/hub.json`)) as HubInfo;
  } catch {
    return undefined;
  }
}

/** Whether the hub is in use: `LIFELINE_HUB_URL` is set or a hub has written `hub.json`. */
export function hubInUse(stateDir: string, hubUrl: string | undefined): boolean {
  return (hubUrl !== undefined && hubUrl !== "") || readHubInfo(stateDir) !== undefined;
}

/** Whether the session's sidecar beat recently. */
export function sidecarAlive(stateDir: string, sessionId: string, now: number): boolean {
  try {
    const m = Deno.statSync(heartbeatPath(stateDir, sessionId)).mtime;
    return m !== null && now - m.getTime() < HEARTBEAT_STALE_MS;
  } catch {
    return false;
  }
}

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
    Deno.mkdirSync(`${o.stateDir}/sidecars`, { recursive: true, mode: 0o700 });
    // Claim the start with the heartbeat file, so that concurrent hooks start one sidecar.
    const hb = heartbeatPath(o.stateDir, o.sessionId);
    Deno.writeTextFileSync(hb, "starting", { mode: 0o600 });
    const script = decodeURIComponent(new URL("../hub/sidecar.ts", import.meta.url).pathname);
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
