/**
 * The real TUI recordings (0.169.0 and 0.171.0, daemon on and off) replayed
 * into a store through lifeline's hook handling: what lifeline records for
 * each real run.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Store } from "../../lifecycle/store/mod.ts";
import { statusReport } from "../../lifecycle/status.ts";
import {
  daemonPids,
  readRecording,
  realSessionIds,
  REPLAY_EPOCH,
  replayInto,
} from "../harness/tui_replay.ts";
import type { RecordingLine } from "../harness/tui_recording.ts";

const ROOT = fileURLToPath(new URL("../testdata/recorded/tui/", import.meta.url));
const SETS = ["0.169.0-daemon", "0.169.0-nodaemon", "0.171.0-daemon", "0.171.0-nodaemon"];

function recordings(): { set: string; name: string; lines: RecordingLine[] }[] {
  const out = [];
  for (const set of SETS) {
    for (const e of [...Deno.readDirSync(`${ROOT}${set}`)].sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.endsWith(".jsonl")) {
        out.push({ set, name: e.name.slice(0, -6), lines: readRecording(`${ROOT}${set}/${e.name}`) });
      }
    }
  }
  return out;
}

const ALL = recordings();

function replayed(lines: RecordingLine[], until?: number): Store {
  const store = Store.memory();
  replayInto(store, lines, until);
  return store;
}

const at = (lines: RecordingLine[], pred: (l: RecordingLine) => boolean) => Number(lines.find(pred)?.t);

Deno.test("every recording replays into sessions that are all real: no title thread, no contradiction", () => {
  assert.equal(ALL.length, 56, "the committed recordings");
  let titleNotifies = 0;
  for (const { set, name, lines } of ALL) {
    titleNotifies += lines.filter((l) =>
      l.kind === "notify" && String((l.payload as Record<string, string[]>)["input-messages"]?.[0])
        .startsWith("Generate a concise")
    ).length;
    const store = replayed(lines);
    const ids = new Set(
      store.sessions().map((s) =>
        s.session_id
      ),
    );
    assert.deepEqual(ids, realSessionIds(lines), `${set}/${name}: sessions are the hook-named ones`);
    for (const s of store.sessions()) {
      assert.deepEqual(store.contradictions(s.session_id), [], `${set}/${name}: ${s.session_id}`);
      // Only a TUI killed mid-turn with no daemon leaves a turn open: nothing at all fires.
      if (!(set.endsWith("nodaemon") && name === "kill_tui_mid_turn")) {
        assert.notEqual(s.status, "busy", `${set}/${name}: nobody busy at the end`);
      }
      if (s.status === "offline") {
        assert.equal(
          s.turn_state,
          "idle",
          `${set}/${name}: offline is not working`,
        );
      }
      for (const t of store.turns(s.session_id)) {
        assert.doesNotMatch(t.prompt ?? "", /^Generate a concise/, `${set}/${name}: a title turn`);
      }
    }
  }
  assert.ok(titleNotifies >= 56, `title notifies were replayed (${titleNotifies})`);
});

Deno.test("at the end of every recording all its processes are gone: every session offline and idle", () => {
  for (const { set, name, lines } of ALL) {
    const store = replayed(lines);
    const daemons = daemonPids(lines);
    store.maintain({
      now: new Date(REPLAY_EPOCH + Number(lines.at(-1)!.t) + 1000).toISOString(),
      staleBusyMs: Infinity,
      alive: () => false,
      isDaemon: () => undefined,
    });
    for (const s of store.sessions()) {
      assert.deepEqual([s.status, s.turn_state], ["offline", "idle"], `${set}/${name}: ${s.session_id}`);
      if (s.end_reason === "daemon_gone") assert.ok(daemons.has(s.pid!), `${set}/${name}: daemon_gone`);
    }
    assert.equal(
      store.turns(store.sessions()[0]?.session_id ?? "").filter((t) => t.outcome === "open").length,
      0,
    );
  }
});

Deno.test("resume twice in one daemon and in separate processes: three turns, three ends, every time", () => {
  for (const set of SETS) {
    const { lines } = ALL.find((r) => r.set === set && r.name === "resume_twice")!;
    const store = replayed(lines);
    const [s, ...rest] = store.sessions();
    assert.equal(rest.length, 0, set);
    assert.equal(s!.status, "offline", set);
    assert.deepEqual(store.turns(s!.session_id).map((t) => t.outcome), [
      "completed",
      "completed",
      "completed",
    ]);
    const ev = store.journal().filter((o) => o.event === "SessionStart" || o.event === "SessionEnd")
      .map((o) => o.event === "SessionStart" ? `SS:${o.payload.source}` : "SE");
    const hooks = lines.filter((l) =>
      l.kind === "hook" && (l.event === "SessionStart" || l.event === "SessionEnd")
    )
      .map((l) => l.event === "SessionStart" ? `SS:${(l.payload as { source: string }).source}` : "SE");
    assert.deepEqual(ev, hooks, `${set}: every start and end journaled`);
    // Online in between: right after each resumed SessionStart the session is open again.
    for (const l of lines.filter((x) => x.kind === "hook" && x.event === "SessionStart")) {
      const mid = replayed(lines, Number(l.t));
      assert.notEqual(mid.session(s!.session_id)!.status, "offline", `${set}: reopened at ${l.t}`);
    }
  }
});

Deno.test("a re-delivery back to back is still one event; the resumed SessionStart is a new one", () => {
  const { lines } = ALL.find((r) => r.set === "0.169.0-daemon" && r.name === "resume_twice")!;
  const doubled = lines.flatMap((l) => (l.kind === "hook" || l.kind === "notify" ? [l, l] : [l]));
  assert.deepEqual(replayed(doubled).dump(), replayed(lines).dump());
  // Folding the journal from scratch gives the same tables.
  const store = replayed(lines);
  const fresh = Store.memory();
  fresh.replay(store.journal());
  assert.deepEqual(fresh.dump(), store.dump());
});

Deno.test("manual /compact leaves the session idle, and opens no turn", () => {
  for (const set of SETS) {
    const { lines } = ALL.find((r) => r.set === set && r.name === "compact")!;
    const post = at(lines, (l) => l.event === "PostCompact");
    const store = replayed(lines, post);
    const [s] = store.sessions();
    assert.equal(s!.status, "online", set);
    assert.equal(s!.turn_state, "idle", set);
    assert.equal(s!.turn_count, 1, set);
    const end = replayed(lines);
    assert.deepEqual(end.turns(s!.session_id).map((t) => t.outcome), ["completed", "completed"], set);
  }
});

Deno.test("/clear and /new: a new session, and the old one ends", () => {
  for (const set of SETS) {
    for (const name of ["clear", "new"]) {
      const { lines } = ALL.find((r) => r.set === set && r.name === name)!;
      const store = replayed(lines);
      const ss = store.sessions();
      assert.equal(ss.length, 2, `${set}/${name}`);
      for (const s of ss) assert.equal(s.status, "offline", `${set}/${name}: ${s.session_id} ended`);
      assert.deepEqual(ss.map((s) => s.turn_count), [1, 1]);
    }
  }
});

Deno.test("launch and quit with no prompt: one quiet session, offline with no turn", () => {
  for (const set of SETS) {
    const { lines } = ALL.find((r) => r.set === set && r.name === "launch_quit")!;
    const store = replayed(lines);
    const [s, ...rest] = store.sessions();
    assert.equal(rest.length, 0, set);
    assert.deepEqual([s!.status, s!.turn_state, s!.turn_count], ["offline", "idle", 0], set);
  }
});

Deno.test("a quit TUI's session stays online in the daemon until its SessionEnd, 60 s later", () => {
  for (const set of ["0.169.0-daemon", "0.171.0-daemon"]) {
    const { lines } = ALL.find((r) => r.set === set && r.name === "quit")!;
    const quit = at(lines, (l) => l.action === "quit");
    const end = at(lines, (l) => l.event === "SessionEnd");
    assert.ok(end - quit > 59_000, `${set}: SessionEnd ${end - quit} ms after /quit`);
    const daemons = daemonPids(lines);
    const store = replayed(lines, quit + 5000);
    // The reader sees the daemon alive (the TUI is gone, but it was never the session's process).
    store.maintain({
      now: new Date(REPLAY_EPOCH + quit + 5000).toISOString(),
      staleBusyMs: Infinity,
      alive: (pid) => daemons.has(pid),
      isDaemon: (pid) => daemons.has(pid),
    });
    const [s] = store.sessions();
    assert.deepEqual([s!.status, s!.turn_state], ["online", "idle"], set);
    assert.equal(statusReport(store, (pid) => daemons.has(pid)).sessions[0]!.process_model, "daemon");
  }
});

Deno.test("killing the daemon takes its sessions offline (daemon_gone), never working", () => {
  for (const set of ["0.169.0-daemon", "0.171.0-daemon"]) {
    const { lines } = ALL.find((r) => r.set === set && r.name === "kill_daemon")!;
    const daemons = daemonPids(lines);
    const store = replayed(lines);
    store.maintain({
      now: new Date(REPLAY_EPOCH + Number(lines.at(-1)!.t)).toISOString(),
      staleBusyMs: Infinity,
      alive: () => false,
      isDaemon: (pid) => daemons.has(pid),
    });
    for (const s of store.sessions()) {
      assert.deepEqual([s.status, s.turn_state, s.end_reason], ["offline", "idle", "daemon_gone"], set);
    }
  }
});

Deno.test("no daemon: each TUI's session is its own process (process_model process-per-session)", () => {
  const { lines } = ALL.find((r) => r.set === "0.169.0-nodaemon" && r.name === "clear")!;
  const store = replayed(lines);
  // Both sessions of one TUI share its pid: the one case a shared pid is no daemon, which a reader
  // tells from the command line while the TUI lives.
  const models = statusReport(store, () => false).sessions.map((s) => s.process_model);
  assert.deepEqual(models, ["process-per-session", "process-per-session"]);
  assert.deepEqual(statusReport(store, () => undefined).sessions.map((s) => s.process_model), [
    "daemon",
    "daemon",
  ]);
  const { lines: q } = ALL.find((r) => r.set === "0.169.0-nodaemon" && r.name === "quit")!;
  assert.equal(statusReport(replayed(q), () => false).sessions[0]!.process_model, "process-per-session");
});
