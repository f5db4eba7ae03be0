/**
 * The notify line install writes: the user's program gets exactly its own
 * argv plus the payload, whatever those words hold, and keeps getting it when
 * lifeline's copy or deno are gone; lifeline's notify records the payload.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT, lifelineNotify, notifyShellArgv } from "../../hooks/handlers.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { exists } from "./_run.ts";

const HOSTILE = ["a b", "it's", '"q"', "$(touch PWNED)", "; touch PWNED2", "`id`", "ünï cødé", "", "--x=1,2"];

/** A user notify program at a hostile path that writes its argv, NUL-separated, into a FIFO. */
async function userProgram(dir: string): Promise<{ prog: string; fifo: string }> {
  const prog = join(dir, `my notify's "prog" $x.sh`);
  await Deno.writeTextFile(prog, `#!/bin/sh\nfor a; do printf '%s\\0' "$a"; done > "$OUT"\n`, {
    mode: 0o755,
  });
  const fifo = join(dir, "out.fifo");
  const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(mk.success);
  return { prog, fifo };
}

/** Runs a notify argv as Codex does (payload appended) and returns what the user's program received. */
async function fire(argv: string[], payload: string, fifo: string, cwd: string): Promise<string[]> {
  const child = new Deno.Command(argv[0]!, {
    args: [...argv.slice(1), payload],
    env: { OUT: fifo },
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Opening the FIFO waits for the user's program: no sleep, no polling.
  const got = new TextDecoder().decode(await Deno.readFile(fifo));
  await child.output();
  return got.split("\0").slice(0, -1);
}

const payload = JSON.stringify({
  type: "agent-turn-complete",
  "thread-id": "t-1",
  "turn-id": "u-1",
  cwd: "/w",
  "input-messages": ["hi"],
  "last-assistant-message": "it's done; $(rm -rf /)",
});

Deno.test("the user's notify program gets exactly its argv plus the payload; lifeline records it too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-notify-" });
  try {
    const { prog, fifo } = await userProgram(dir);
    const state = join(dir, "state it's");
    const places = { deno: Deno.execPath(), root: LIFELINE_ROOT, stateDir: state, codexHome: join(dir, "c") };
    const user = [prog, ...HOSTILE];
    const argv = notifyShellArgv(places, user);
    assert.deepEqual(lifelineNotify(argv, LIFELINE_ROOT), { chain: user });
    assert.deepEqual(await fire(argv, payload, fifo, dir), [...HOSTILE, payload]);
    assert.ok(!exists(join(dir, "PWNED")) && !exists(join(dir, "PWNED2")), "no word ran as a command");
    const store = Store.open(state);
    const events = store.journal().map((o) => o.event);
    store.close();
    assert.deepEqual(events, ["Notify"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with lifeline's copy deleted, or deno missing, the user's program still gets the payload", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-notify-" });
  try {
    const { prog, fifo } = await userProgram(dir);
    const base = { stateDir: join(dir, "s"), codexHome: join(dir, "c") };
    const gone = notifyShellArgv({ ...base, deno: Deno.execPath(), root: join(dir, "deleted-copy") }, [
      prog,
      "x",
    ]);
    assert.deepEqual(await fire(gone, payload, fifo, dir), ["x", payload]);
    const noDeno = notifyShellArgv({ ...base, deno: join(dir, "no-deno"), root: LIFELINE_ROOT }, [prog]);
    assert.deepEqual(await fire(noDeno, payload, fifo, dir), [payload]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a notify line that only looks like lifeline's is not lifeline's", () => {
  const places = { deno: "/d", root: "/opt/lifeline", stateDir: "/s", codexHome: "/c" };
  const argv = notifyShellArgv(places, ["prog"]);
  assert.equal(
    lifelineNotify([...argv.slice(0, 2), argv[2] + "; rm -rf ~", ...argv.slice(3)], "/opt/lifeline"),
    undefined,
  );
  assert.equal(
    lifelineNotify([argv[0]!, argv[1]!, argv[2]!, "other-name", "prog"], "/opt/lifeline"),
    undefined,
  );
  // Without a user program the script must not run "$@" (that would run the payload).
  const alone = notifyShellArgv(places);
  assert.ok(!alone[2]!.includes(`"$@"`));
  assert.deepEqual(lifelineNotify(alone, "/opt/lifeline"), { chain: null });
  assert.equal(lifelineNotify([...alone, "prog"], "/opt/lifeline"), undefined);
});
