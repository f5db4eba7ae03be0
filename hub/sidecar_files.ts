/**
 * The files through which the hub, its sidecars and the hooks find each
 * other inside `$LIFELINE_STATE_DIR`:
 *
 * - `hub.json`: `{url, pid, started_at}` while a hub runs (removed when it stops); the hub touches it
 *   every 5 s, so a file older than {@link HUB_STALE_MS} was left by a hub that died;
 * - `hub.token`: the bearer token (mode 0600), created on the hub's first start, kept after;
 * - `sidecars/<session id>.heartbeat`: the sidecar's pid, rewritten every 2 s; a hook that is
 *   about to start a sidecar writes `starting` first, so that concurrent hooks start one.
 *
 * The hooks import this module on every event, so it imports nothing (no npm package, no
 * store) and touches the disk only when called.
 *
 * @module
 */

/** A sidecar whose heartbeat is older than this is taken for dead. */
export const HEARTBEAT_STALE_MS = 10_000;

/** A `hub.json` not touched for this long was left behind by a hub that died (it touches it every 5 s). */
export const HUB_STALE_MS = 20_000;

/** Where the running hub records itself. */
export function hubInfoPath(stateDir: string): string {
  return `${stateDir}/hub.json`;
}

/** Where the hub's bearer token lives. */
export function hubTokenPath(stateDir: string): string {
  return `${stateDir}/hub.token`;
}

/** The folder of the sidecars' heartbeats (the hook that starts a sidecar creates it, mode 0700). */
export function sidecarsDir(stateDir: string): string {
  return `${stateDir}/sidecars`;
}

/** Where a session's sidecar heartbeat lives. */
export function heartbeatPath(stateDir: string, sessionId: string): string {
  return `${sidecarsDir(stateDir)}/${encodeURIComponent(sessionId)}.heartbeat`;
}

/** The sidecar's script, for the hooks that start it (`deno run <script>`). */
export function sidecarScriptPath(): string {
  return decodeURIComponent(new URL("./sidecar.ts", import.meta.url).pathname);
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
    return JSON.parse(Deno.readTextFileSync(hubInfoPath(stateDir))) as HubInfo;
  } catch {
    return undefined;
  }
}

/** Records the running hub (mode 0600, also when an older file had another mode). */
export function writeHubInfo(stateDir: string, info: HubInfo): void {
  const path = hubInfoPath(stateDir);
  Deno.writeTextFileSync(path, JSON.stringify(info) + "\n", { mode: 0o600 });
  Deno.chmodSync(path, 0o600);
}

/** Forgets the hub when it stops; a missing file is fine. */
export function removeHubInfo(stateDir: string): void {
  try {
    Deno.removeSync(hubInfoPath(stateDir));
  } catch { /* already gone */ }
}

/**
 * Whether a hub runs here: `hub.json` exists and was touched within {@link HUB_STALE_MS} of `now`
 * (ms since the epoch). One `stat`, cheap enough for every hook, and it needs no permission beyond
 * reading the state dir (a hook may not look at other processes).
 */
export function hubAlive(stateDir: string, now: number = Date.now()): boolean {
  try {
    const m = Deno.statSync(hubInfoPath(stateDir)).mtime;
    return m !== null && now - m.getTime() < HUB_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Whether the hub is in use: `LIFELINE_HUB_URL` is set (a hub is expected, though it may not have
 * started yet), or a live hub recorded itself in `hub.json`. A `hub.json` left by a hub that died
 * does not count, so it does not keep hooks starting sidecars.
 */
export function hubInUse(stateDir: string, hubUrl: string | undefined, now: number = Date.now()): boolean {
  return (hubUrl !== undefined && hubUrl !== "") || hubAlive(stateDir, now);
}

/** Forgets this process's hub: removes `hub.json` only when it names this process (pid) and, if given, `url`. */
export function removeOwnHubInfo(stateDir: string, url?: string): void {
  const info = readHubInfo(stateDir);
  if (info?.pid === Deno.pid && (url === undefined || info.url === url)) removeHubInfo(stateDir);
}

/** The hub token if a hub has ever started here (the sidecar's side: it never creates one). */
export function readHubToken(stateDir: string): string | undefined {
  try {
    return Deno.readTextFileSync(hubTokenPath(stateDir)).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Reads the hub token, creating it (32 random bytes as hex, mode 0600) on first start. */
export function hubToken(stateDir: string): string {
  const existing = readHubToken(stateDir);
  if (existing) return existing;
  const path = hubTokenPath(stateDir);
  Deno.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  Deno.writeTextFileSync(path, token + "\n", { mode: 0o600 });
  // The mode option only applies when the file is created; a pre-existing empty file keeps its own.
  Deno.chmodSync(path, 0o600);
  return token;
}

/** Whether the session's sidecar beat recently (`now` in ms since the epoch). */
export function sidecarAlive(stateDir: string, sessionId: string, now: number): boolean {
  try {
    const m = Deno.statSync(heartbeatPath(stateDir, sessionId)).mtime;
    return m !== null && now - m.getTime() < HEARTBEAT_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Writes a session's heartbeat (`starting`, or the sidecar's pid). Throws when `sidecars/` is
 * missing: only the starting hook creates it, so a sidecar whose state dir was removed cannot
 * bring it back.
 */
export function writeHeartbeat(stateDir: string, sessionId: string, text: string): void {
  Deno.writeTextFileSync(heartbeatPath(stateDir, sessionId), text, { mode: 0o600 });
}

/** Removes a session's heartbeat when its sidecar exits; a missing file is fine. */
export function removeHeartbeat(stateDir: string, sessionId: string): void {
  try {
    Deno.removeSync(heartbeatPath(stateDir, sessionId));
  } catch { /* gone */ }
}
