/**
 * Differential against the real interactive TUI: a short Codex 0.169.0 TUI
 * session in the shared daemon (launch, one prompt with a tool call, `/quit`)
 * fires the hooks, in the order and with the payload field sets, of the
 * committed recording `tests/testdata/recorded/tui/0.169.0-daemon/tool_call.jsonl`
 * (up to the quit: the detached session's SessionEnd comes about 60 s later and
 * is left to the recording). Values (ids, times, paths) are not compared.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { say, shell } from "../harness/mock_responses.ts";
import { processesMentioning, startTuiRig } from "../harness/tui.ts";
import { recordingDir } from "../harness/tui_recording.ts";
import { TITLE_PROMPT } from "../harness/tui_mock.ts";
import { realSessionIds, replayInto } from "../harness/tui_replay.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { isHookEventName } from "../../codex/events.ts";

const VERSION = "0.169.0";

/** A recording line, as `tui_cases.ts` writes it. */
interface Line {
  t: number;
  kind: string;
  event?: string;
  action?: string;
  fact?: string;
  pid?: number;
  ppid?: number;
  payload: Record<string, unknown>;
}

async function readRecording(name: string): Promise<Line[]> {
  const text = await Deno.readTextFile(join(recordingDir(VERSION, true), `${name}.jsonl`));
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Line);
}

const keys = (p: unknown) => Object.keys(p as object).sort().join(",");

Deno.test({
  name: "real TUI 0.169.0 (daemon): a tool-call session agrees with its recording",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const recording = await readRecording("tool_call");
    const quitAt = recording.find((l) => l.kind === "action" && l.action === "quit")?.t;
    assert.ok(typeof quitAt === "number", "the recording has a quit marker");
    const want = recording.filter((l) => l.kind === "hook" && l.t < quitAt!);
    const wantNotify = recording.filter((l) => l.kind === "notify" && l.t < quitAt!);
    const daemonFact = recording.find((l) => l.kind === "process" && l.fact === "daemon_pid");

    const rig = await startTuiRig({ version: VERSION, replies: [shell("echo hi"), say("Ran it.")] });
    try {
      const tuiPid = await rig.launch("a");
      await rig.submit("a", "run echo");
      await rig.waitForEvent("Stop", 1, 120_000);
      await rig.waitForNotifies(wantNotify.length, 60_000);
      await rig.quit("a", 60_000);
      const got = await rig.hooks();
      const notifies = await rig.notifies();
      const daemons = await rig.daemonPids();

      assert.deepEqual(
        got.map((l) => l.payload.hook_event_name),
        want.map((l) => l.event),
        "hook order up to the quit",
      );
      for (const [i, l] of got.entries()) {
        assert.equal(
          keys(l.payload),
          keys(want[i]!.payload),
          `payload fields of hook ${i} (${want[i]!.event})`,
        );
      }
      assert.deepEqual(
        notifies.map((n) => keys(n.payload)).sort(),
        wantNotify.map((n) => keys(n.payload)).sort(),
        "notify payload fields",
      );
      // The process model: every hook's parent is the daemon, never the TUI, as in the recording.
      assert.equal(daemons.length, 1, `one daemon runs for the rig, found ${daemons.length}`);
      assert.ok(got.every((l) => l.ppid === daemons[0]), "every hook runs as a child of the daemon");
      assert.ok(got.every((l) => l.ppid !== tuiPid), "no hook runs as a child of the TUI");
      assert.ok(daemonFact && want.every((l) => l.ppid === daemonFact.pid), "so does the recording");
      // The title thread: one notify for a thread that is not the session, with the title prompt.
      const session = got[0]!.payload.session_id;
      const titles = notifies.filter((n) => n.payload["thread-id"] !== session);
      const wantTitles = wantNotify.filter((n) => n.payload["thread-id"] !== want[0]!.payload.session_id);
      assert.equal(titles.length, wantTitles.length, "title-thread notifies");
      for (const t of titles) {
        const input = t.payload["input-messages"] as string[];
        assert.ok(input[0]!.startsWith(TITLE_PROMPT), `title notify input: "${input[0]!.slice(0, 60)}"`);
        assert.equal(t.payload.client, "codex-tui");
      }
      // lifeline's record of this live run (its hook handling, fed what Codex sent): no phantom session.
      const t0 = Math.min(...got.map((l) => l.t));
      const live = [
        ...got.map((l) => ({ ...l, t: l.t - t0, kind: "hook", event: String(l.payload.hook_event_name) })),
        ...notifies.map((n) => ({ ...n, t: n.t - t0, kind: "notify", event: "notify" })),
      ].sort((a, b) => a.t - b.t);
      const store = Store.memory();
      try {
        // The model-request hooks are not lifeline's (it installs no handler for them).
        const handled = live.filter((l) => l.kind === "notify" || isHookEventName(l.event)).length;
        assert.equal(replayInto(store, live), handled, "every live hook lifeline handles, and every notify");
        assert.deepEqual(
          store.sessions().map((s) => s.session_id),
          [...realSessionIds(live)],
          "sessions are the hook-named ones (no title thread)",
        );
        const [s] = store.sessions();
        assert.deepEqual([s!.status, s!.turn_state, s!.turn_count], ["online", "idle", 1]);
        assert.deepEqual(store.contradictions(s!.session_id), []);
      } finally {
        store.close();
      }
    } finally {
      await rig.stop();
      await Deno.remove(rig.root, { recursive: true }).catch(() => {});
    }
    const left = await processesMentioning(rig.codexHome);
    assert.deepEqual(left.map((p) => p.pid), [], "no process of the rig is left");
  },
});
