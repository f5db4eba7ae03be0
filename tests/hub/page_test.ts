/**
 * The live page in headless Chromium (Debian's `chromium`, installed by `.ci/run`), driven over
 * the DevTools protocol: the list (offline sessions folded away, a legend, no red "disconnected"
 * on offline rows), pushed updates that keep a selection, a session opened to its turns, tools,
 * failures and messages, and a message sent from the page whose status follows it from queued to
 * waiting in the inbox. Screenshots go to `$LIFELINE_SCREENSHOT_DIR` (default: a new temp dir, kept)
 * and their paths are printed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { materialise } from "../harness/histories.ts";
import { sandbox } from "../harness/hook_process.ts";
import { CHROMIUM, openPage } from "./_cdp.ts";
import { connectSidecar } from "./_client.ts";

const record = (stateDir: string, steps: Parameters<typeof materialise>[0], at: number) => {
  const store = Store.open(stateDir);
  for (const o of materialise(steps, at)) store.record(o);
  store.close();
};

/** Prints a line into the test's output (the screenshots' paths). */
const say = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

const isPng = (bytes: Uint8Array) =>
  bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;

Deno.test({
  name:
    "the live page: folded offline sessions, a legend, pushed updates that keep a selection, a session's detail and message box",
  ignore: CHROMIUM === undefined, // .ci/run installs Debian's chromium; without it this check cannot run here
  sanitizeResources: false, // the page's event stream is closed by the hub's close, after the browser went
  fn: async () => {
    const sb = await sandbox();
    const now = Date.now();
    record(sb.stateDir, [
      { kind: "prompt", session: 0 },
      { kind: "tool", session: 0, fail: true },
      { kind: "stop", session: 0, notify: false },
      { kind: "prompt", session: 0 },
      { kind: "prompt", session: 1 },
      { kind: "interrupt", session: 1, fires: true },
      { kind: "end", session: 1 },
    ], now - 60_000);
    const log: string[] = [];
    const hub = startHub({
      stateDir: sb.stateDir,
      port: 0,
      alive: () => undefined,
      pingMs: 60_000,
      log: (l) => log.push(l),
    });
    // Kept after the test, so that the printed paths can be opened.
    const dir = Deno.env.get("LIFELINE_SCREENSHOT_DIR") ??
      await Deno.makeTempDir({ prefix: "lifeline-screenshots-" });
    const page = await openPage(`${hub.url}/?token=${hub.token}`);
    try {
      await page.waitFor("the first update", `document.querySelectorAll("#rows tr").length > 0`);
      const rows = () =>
        page.eval<string[]>(`[...document.querySelectorAll("#rows tr")].map((r) => r.dataset.key)`);
      assert.deepEqual(await rows(), ["s0"], "the offline session is folded away");
      assert.equal(await page.eval(`document.getElementById("offlineCount").textContent`), "1");
      assert.equal(await page.eval(`document.getElementById("folded").hidden`), false);
      assert.deepEqual(
        await page.eval(`[...document.querySelectorAll("#legend .item")].map((i) => i.textContent.trim())`),
        ["completed", "open", "interrupted", "blocked", "abandoned"],
      );
      const cells = (id: string) =>
        page.eval<string[]>(
          `[...document.querySelector('#rows tr[data-key="${id}"]').children].map((c) => c.textContent)`,
        );
      const s0 = await cells("s0");
      assert.equal(s0[1], "busy");
      assert.match(s0[3]!, /2$/, "two turns");
      assert.equal(s0[4], "Bash exit_1 ×1");
      assert.equal(s0[5], "disconnected");
      assert.equal(s0[6], "hook", "the sources that saw it");
      assert.equal(
        await page.eval(`document.querySelector('#rows tr[data-key="s0"]').children[6].title`),
        "seen by hook",
      );
      assert.equal(
        await page.eval(
          `document.querySelectorAll('#rows tr[data-key="s0"] .sq.t-completed, #rows tr[data-key="s0"] .sq.t-open').length`,
        ),
        2,
      );
      await page.eval(`document.getElementById("showOffline").click()`);
      assert.deepEqual((await rows()).sort(), ["s0", "s1"]);
      const s1 = await cells("s1");
      assert.match(s1[1]!, /^offline/);
      assert.equal(s1[5], "—", "an offline row shows no transport, not a red disconnected");
      assert.equal(
        await page.eval(`document.querySelector('#rows tr[data-key="s1"]').children[5].className`),
        "none",
      );
      const list = join(dir, "hub-page-list.png");
      await page.screenshot(list);
      say(`screenshot: ${list}`);

      // Select s0's id, then change the store from outside: the pushed update must not wipe the selection.
      await page.eval(`(() => {
        const code = document.querySelector('#rows tr[data-key="s0"] code');
        window.__code = code;
        const r = document.createRange();
        r.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(r);
        window.__updates = Number(/update (\\d+)/.exec(document.getElementById("meta").textContent)[1]);
      })()`);
      record(sb.stateDir, [{ kind: "prompt", session: 2 }], Date.now());
      await page.waitFor("the pushed update with s2", `document.querySelector('#rows tr[data-key="s2"]')`);
      assert.ok(
        await page.eval<number>(
          `Number(/update (\\d+)/.exec(document.getElementById("meta").textContent)[1])`,
        ) >
          await page.eval<number>(`window.__updates`),
      );
      assert.equal(await page.eval(`getSelection().toString()`), "s0", "the selection survived the update");
      assert.equal(
        await page.eval(`document.querySelector('#rows tr[data-key="s0"] code') === window.__code`),
        true,
      );

      // Open s0: turns, tool calls, failures, messages; send a notify while no sidecar is connected.
      await page.eval(`document.querySelector('#rows tr[data-key="s0"]').click()`);
      await page.waitFor(
        "the detail",
        `!document.getElementById("detail").hidden && document.querySelectorAll("#dTurns li").length === 2`,
      );
      assert.equal(await page.eval(`document.getElementById("dTitle").textContent`), "s0");
      assert.equal(await page.eval(`document.getElementById("dSources").textContent`), "hook");
      assert.match(
        await page.eval<string>(`document.getElementById("dTools").textContent`),
        /Bash.*\(failed\)/,
      );
      assert.match(
        await page.eval<string>(`document.getElementById("dFailures").textContent`),
        /Bash exit_1 ×1/,
      );
      assert.equal(await page.eval(`document.getElementById("dMessagesEmpty").hidden`), false);
      await page.eval(`(() => {
        document.getElementById("kind").value = "notify";
        document.getElementById("text").value = "the deploy is done";
        document.querySelector("#send button").click();
      })()`);
      await page.waitFor(
        "the message in the list",
        `document.querySelectorAll("#dMessages li").length === 1`,
      );
      assert.match(await page.eval<string>(`document.getElementById("sendResult").textContent`), /^queued: /);
      assert.match(
        await page.eval<string>(`document.getElementById("dMessages").textContent`),
        /notify the deploy is done queued/,
      );

      // A sidecar connects: the queue is replayed into the inbox, and the page follows the status.
      const side = connectSidecar(hub.url, hub.token, "s0", sb.stateDir);
      await side.welcomed;
      await page.waitFor(
        "the message to wait in the inbox",
        `/waiting for Codex/.test(document.getElementById("dMessages").textContent)`,
      );
      await page.waitFor(
        "the sidecar cell",
        `document.querySelector('#rows tr[data-key="s0"]').children[5].textContent === "connected"`,
      );
      const detail = join(dir, "hub-page-session.png");
      await page.screenshot(detail);
      say(`screenshot: ${detail}`);
      side.close();
      await side.closed;

      for (const png of [list, detail]) {
        const bytes = await Deno.readFile(png);
        assert.ok(isPng(bytes) && bytes.length > 10_000, `${png} is a real screenshot`);
      }
      assert.deepEqual(page.errors, [], "no script errors in the page");
      const text = log.join("\n");
      assert.match(text, /message [0-9a-f]{8} \(notify, 18 chars\) to session s0: queued/);
      assert.match(text, /sidecar connected: session s0/);
      assert.doesNotMatch(text, new RegExp(hub.token), "no token in the log");
      assert.doesNotMatch(text, /the deploy is done/, "no message text in the log");
    } finally {
      await page.close();
      await hub.close();
      await sb.cleanup();
    }
  },
});
