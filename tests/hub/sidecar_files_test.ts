/** The files the hub, its sidecars and the hooks share (`hub/sidecar_files.ts`), on a real temp dir. */
import assert from "node:assert/strict";
import {
  HEARTBEAT_STALE_MS,
  heartbeatPath,
  HUB_STALE_MS,
  hubInfoPath,
  hubInUse,
  hubToken,
  hubTokenPath,
  readHubInfo,
  readHubToken,
  removeHeartbeat,
  removeHubInfo,
  sidecarAlive,
  sidecarScriptPath,
  sidecarsDir,
  writeHeartbeat,
  writeHubInfo,
} from "../../hub/sidecar_files.ts";

async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-sidecar-files-" });
  try {
    await fn(`${dir}/state`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("hub.token: created once (64 hex chars, mode 0600, state dir 0700), then read back", () =>
  withDir((state) => {
    assert.equal(readHubToken(state), undefined);
    const t = hubToken(state);
    assert.match(t, /^[0-9a-f]{64}$/);
    assert.equal(Deno.statSync(hubTokenPath(state)).mode! & 0o777, 0o600);
    assert.equal(Deno.statSync(state).mode! & 0o777, 0o700);
    assert.equal(hubToken(state), t, "a second start keeps the token");
    assert.equal(readHubToken(state), t);
    Deno.writeTextFileSync(hubTokenPath(state), "\n");
    const fresh = hubToken(state);
    assert.notEqual(fresh, t, "an empty token file gets a new token");
    assert.equal(Deno.statSync(hubTokenPath(state)).mode! & 0o777, 0o600);
  }));

Deno.test("hub.json: written, read, removed; its presence means the hub is in use", () =>
  withDir((state) => {
    Deno.mkdirSync(state, { recursive: true });
    assert.equal(readHubInfo(state), undefined);
    assert.equal(hubInUse(state, undefined), false);
    assert.equal(hubInUse(state, ""), false, "an empty LIFELINE_HUB_URL is unset");
    assert.equal(hubInUse(state, "http://127.0.0.1:7571"), true, "LIFELINE_HUB_URL alone is enough");
    const info = { url: "http://127.0.0.1:7571", pid: 42, started_at: "2026-12-01T00:00:00.000Z" };
    writeHubInfo(state, info);
    assert.equal(Deno.statSync(hubInfoPath(state)).mode! & 0o777, 0o600);
    assert.deepEqual(readHubInfo(state), info);
    assert.equal(hubInUse(state, undefined), true);
    const mtime = Deno.statSync(hubInfoPath(state)).mtime!.getTime();
    assert.equal(hubInUse(state, undefined, mtime + HUB_STALE_MS - 1), true, "touched recently: a live hub");
    assert.equal(hubInUse(state, undefined, mtime + HUB_STALE_MS), false, "stale: its hub died");
    Deno.chmodSync(hubInfoPath(state), 0o644);
    writeHubInfo(state, info);
    assert.equal(Deno.statSync(hubInfoPath(state)).mode! & 0o777, 0o600, "rewritten private");
    removeHubInfo(state);
    removeHubInfo(state); // a second stop is fine
    assert.equal(readHubInfo(state), undefined);
    Deno.writeTextFileSync(hubInfoPath(state), "{not json");
    assert.equal(readHubInfo(state), undefined, "a torn hub.json reads as no hub");
  }));

Deno.test("heartbeats: one file per session (id encoded), alive while fresh, never recreating the state dir", () =>
  withDir((state) => {
    assert.equal(heartbeatPath(state, "a/b c"), `${state}/sidecars/a%2Fb%20c.heartbeat`);
    assert.throws(() => writeHeartbeat(state, "s", "1"), Deno.errors.NotFound);
    assert.throws(() => Deno.statSync(state), Deno.errors.NotFound);
    Deno.mkdirSync(sidecarsDir(state), { recursive: true });
    assert.equal(sidecarAlive(state, "s", Date.now()), false);
    writeHeartbeat(state, "s", "starting");
    assert.equal(Deno.readTextFileSync(heartbeatPath(state, "s")), "starting");
    assert.equal(Deno.statSync(heartbeatPath(state, "s")).mode! & 0o777, 0o600);
    const mtime = Deno.statSync(heartbeatPath(state, "s")).mtime!.getTime();
    assert.equal(sidecarAlive(state, "s", mtime + HEARTBEAT_STALE_MS - 1), true);
    assert.equal(sidecarAlive(state, "s", mtime + HEARTBEAT_STALE_MS), false);
    removeHeartbeat(state, "s");
    removeHeartbeat(state, "s");
    assert.equal(sidecarAlive(state, "s", mtime), false);
  }));

Deno.test("the sidecar script the hooks start is hub/sidecar.ts", () => {
  const path = sidecarScriptPath();
  assert.match(path, /\/hub\/sidecar\.ts$/);
  assert.match(Deno.readTextFileSync(path), /export async function runSidecar/);
});
