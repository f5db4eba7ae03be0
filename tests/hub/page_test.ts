/**
 * The live page in headless Chromium (Debian's `chromium`, installed by
 * `.ci/run`): the DOM the page's own script builds from `/sessions` shows
 * every session, its status, turns, failures and transport; a screenshot is
 * written to `$LIFELINE_SCREENSHOT_DIR` (default: a temp dir).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { materialise } from "../harness/histories.ts";
import { sandbox } from "../harness/hook_process.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

function chromium(args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${Deno.makeTempDirSync()}`,
      "--virtual-time-budget=4000",
      "--window-size=1200,500",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test({
  name: "the live page renders every session (status, turns, failures, transport) in headless Chromium",
  ignore: CHROMIUM === undefined, // .ci/run installs Debian's chromium; without it this check cannot run here
  fn: async () => {
    const sb = await sandbox();
    const store = Store.open(sb.stateDir);
    const now = Date.now();
    const obs = materialise([
      { kind: "prompt", session: 0 },
      { kind: "tool", session: 0, fail: true },
      { kind: "stop", session: 0, notify: false },
      { kind: "prompt", session: 0 },
      { kind: "prompt", session: 1 },
      { kind: "interrupt", session: 1, fires: true },
      { kind: "end", session: 1 },
    ], now - 60_000);
    for (const o of obs) store.record(o);
    store.close();
    const hub = startHub({ stateDir: sb.stateDir, port: 0, alive: () => undefined });
    try {
      const url = `${hub.url}/?token=${hub.token}`;
      const dom = new TextDecoder().decode((await chromium(["--dump-dom", url])).stdout);
      assert.match(dom, /<td><code>s0<\/code><\/td><td><span class="badge busy">busy<\/span>/);
      assert.match(
        dom,
        /<td><code>s1<\/code><\/td><td><span class="badge offline">offline<\/span> <small>other<\/small>/,
      );
      assert.match(dom, /<div class="fail">Bash exit_1 ×1<\/div>/);
      assert.match(dom, /<span class="t-completed"[^>]*><\/span><span class="t-open"/);
      assert.match(dom, /<td class="disconnected">disconnected<\/td>/);
      assert.match(dom, /2 session\(s\) · updated/);
      const dir = Deno.env.get("LIFELINE_SCREENSHOT_DIR") ?? await Deno.makeTempDir();
      const png = join(dir, "hub-page.png");
      const shot = await chromium([`--screenshot=${png}`, url]);
      assert.equal(shot.code, 0, new TextDecoder().decode(shot.stderr));
      const bytes = await Deno.readFile(png);
      assert.deepEqual([...bytes.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
      assert.ok(bytes.length > 10_000, "not a blank page");
    } finally {
      await hub.close();
      await sb.cleanup();
    }
  },
});
