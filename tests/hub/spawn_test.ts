/**
 * `POST /sessions` without a daemon: the `codex exec` fallback, run with a
 * stand-in `codex` (a shell script that prints what `codex exec --json`
 * prints first) so that every path is fast and deterministic; the real Codex
 * runs in `tests/e2e/spawn_test.ts`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";
import type { ExecChild } from "../../hub/spawn_exec.ts";
import { execArgs, lastLines, threadIdIn } from "../../hub/spawn_exec.ts";
import { Store } from "../../lifecycle/store/mod.ts";

const THREAD = "019f0000-0000-7000-8000-00000000abcd";

/** A stand-in `codex`: records its cwd and argv, prints the thread id, waits on a FIFO when there is one. */
const FAKE_CODEX = `#!/bin/sh
printf '%s\\n' "$PWD" "$@" > "$FAKE_DIR/args"
echo '{"type":"thread.started","thread_id":"${THREAD}"}'
echo 'a warning on stderr' >&2
if [ -p "$FAKE_DIR/go" ]; then read x < "$FAKE_DIR/go"; fi
echo '{"type":"turn.completed"}'
`;

async function script(dir: string, name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await Deno.writeTextFile(p, text, { mode: 0o755 });
  return p;
}

async function setup(bin: (dir: string) => Promise<string> | string, startTimeoutMs?: number) {
  const root = await Deno.makeTempDir({ prefix: "lifeline-spawn-" });
  const stateDir = join(root, "state");
  const ws = join(root, "ws");
  await Deno.mkdir(ws);
  const children: ExecChild[] = [];
  const hub = startHub({
    stateDir,
    port: 0,
    pingMs: 60_000,
    codex: {
      bin: await bin(root),
      env: { FAKE_DIR: root },
      onChild: (c) => {
        c.ref(); // the test waits for every child it starts
        children.push(c);
      },
      ...(startTimeoutMs ? { startTimeoutMs } : {}),
    },
  });
  const api = async (path: string, body?: unknown) => {
    const r = await fetch(hub.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: await r.json() };
  };
  return {
    root,
    stateDir,
    ws,
    hub,
    api,
    children,
    async cleanup() {
      for (const c of children) c.kill("SIGKILL");
      await Promise.all(children.map((c) => c.status));
      await hub.close().catch(() => {}); // some tests close it themselves
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test("exec fallback: 201 with the thread id, registered pending_first_turn, first message recorded", async () => {
  const t = await setup((d) => script(d, "codex", FAKE_CODEX));
  try {
    const r = await t.api("/sessions", { cwd: t.ws, message: "-start on the report", from: "lead" });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual([r.body.session_id, r.body.via], [THREAD, "exec"]);
    assert.equal(t.children.length, 1);
    assert.equal(r.body.pid, t.children[0]!.pid);
    assert.equal((await t.children[0]!.status).code, 0);
    // cwd, then argv: the message after "--", framed with its sender and id.
    const [cwd, ...argv] = (await Deno.readTextFile(join(t.root, "args"))).trimEnd().split("\n");
    assert.equal(cwd, t.ws);
    assert.deepEqual(argv.slice(0, 4), ["exec", "--json", "--skip-git-repo-check", "--"]);
    assert.match(
      argv.slice(4).join("\n"),
      new RegExp(
        `^<lifeline-message from="lead" kind="notify" id="${r.body.message_id}">-start on the report`,
      ),
    );
    // The output goes to the state dir, named after the session, private.
    assert.equal(r.body.log, join(t.stateDir, "exec", `${THREAD}.jsonl`));
    assert.match(await Deno.readTextFile(r.body.log), /"turn\.completed"/);
    assert.match(await Deno.readTextFile(join(t.stateDir, "exec", `${THREAD}.stderr.log`)), /a warning/);
    assert.equal((await Deno.stat(r.body.log)).mode! & 0o077, 0);
    const s = await t.api(`/sessions/${THREAD.slice(0, 12)}`);
    assert.equal(s.status, 200);
    assert.deepEqual([s.body.turn_state, s.body.cwd], ["pending_first_turn", t.ws]);
    const m = await t.api(`/messages/${r.body.message_id}`);
    assert.deepEqual([m.body.session_id, m.body.from, m.body.status, m.body.text], [
      THREAD,
      "lead",
      "delivered",
      "-start on the report",
    ]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("exec fallback: the session is the user's work and keeps running after the hub stops", async () => {
  const t = await setup((d) => script(d, "codex", FAKE_CODEX));
  const fifo = join(t.root, "go");
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  try {
    const r = await t.api("/sessions", { cwd: t.ws, message: "long work" });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // Its own process group: a Ctrl-C in the hub's terminal does not reach it.
    const group = (pid: number | "self") =>
      Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ")[2];
    assert.notEqual(group(r.body.pid), group("self"));
    await t.hub.close();
    await Deno.writeTextFile(fifo, "go\n"); // blocks until the child, still running, reads it
    assert.equal((await t.children[0]!.status).code, 0);
    assert.match(await Deno.readTextFile(r.body.log), /"turn\.completed"/, "it wrote after the hub stopped");
  } finally {
    await t.cleanup();
  }
});

Deno.test("exec fallback: a missing binary says how to set LIFELINE_CODEX_BIN", async () => {
  for (const bin of ["/nonexistent/codex", "lifeline-no-such-codex"]) {
    const t = await setup(() => bin);
    try {
      const r = await t.api("/sessions", { cwd: t.ws, message: "hi" });
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.match(r.body.error, /LIFELINE_CODEX_BIN/);
      assert.ok(r.body.error.includes(JSON.stringify(bin)), r.body.error);
      assert.deepEqual((await t.api("/sessions")).body.sessions, []);
    } finally {
      await t.cleanup();
    }
  }
});

Deno.test("exec fallback: codex exiting before a thread id gives its stderr's last lines, scrubbed", async () => {
  const t = await setup((d) =>
    script(
      d,
      "codex",
      "#!/bin/sh\necho 'loading config' >&2\necho 'Error: bad key OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx' >&2\nexit 3\n",
    )
  );
  try {
    const r = await t.api("/sessions", { cwd: t.ws, message: "hi" });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.match(r.body.error, /exited \(code 3\) before it printed a thread id/);
    assert.match(r.body.error, /loading config\nError: bad key/);
    assert.ok(!r.body.error.includes("sk-proj-abcdefghijklmnopqrstuvwx"), r.body.error);
  } finally {
    await t.cleanup();
  }
});

Deno.test("exec fallback: no thread id in time stops the child with a 504", async () => {
  const t = await setup((d) => script(d, "codex", "#!/bin/sh\nexec sleep 600\n"), 300);
  try {
    const r = await t.api("/sessions", { cwd: t.ws, message: "hi" });
    assert.equal(r.status, 504, JSON.stringify(r.body));
    assert.match(r.body.error, /printed no thread id within 0.3 s, so it was stopped/);
    assert.equal((await t.children[0]!.status).signal, "SIGTERM");
  } finally {
    await t.cleanup();
  }
});

Deno.test("POST /sessions: cwd missing or not a directory, message empty", async () => {
  const t = await setup((d) => script(d, "codex", FAKE_CODEX));
  try {
    const file = join(t.root, "codex");
    for (
      const [body, re] of [
        [{ cwd: join(t.root, "nope"), message: "x" }, /"cwd": ".*nope" does not exist/],
        [{ cwd: file, message: "x" }, /"cwd": ".*codex" is not a directory/],
        [{ cwd: "rel", message: "x" }, /"cwd" must be an absolute path/],
        [{ cwd: t.ws, message: " " }, /"message" must be a non-empty string/],
      ] as const
    ) {
      const r = await t.api("/sessions", body);
      assert.equal(r.status, 400);
      assert.match(r.body.error, re);
    }
    assert.equal(t.children.length, 0, "nothing was started");
  } finally {
    await t.cleanup();
  }
});

Deno.test("POST /sessions with neither a daemon nor codex exec: 503", async () => {
  const root = await Deno.makeTempDir({ prefix: "lifeline-spawn-" });
  const hub = startHub({ stateDir: join(root, "state"), port: 0, pingMs: 60_000 });
  try {
    const r = await fetch(hub.url + "/sessions", {
      method: "POST",
      headers: { authorization: `Bearer ${hub.token}` },
      body: JSON.stringify({ cwd: root, message: "x" }),
    });
    assert.equal(r.status, 503);
    assert.match((await r.json()).error, /no app-server daemon/);
  } finally {
    await hub.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("exec helpers: argv, the thread id line, the stderr tail", () => {
  assert.deepEqual(execArgs("-x", "gpt"), [
    "exec",
    "--json",
    "--skip-git-repo-check",
    "-m",
    "gpt",
    "--",
    "-x",
  ]);
  assert.equal(threadIdIn(`warning\n{"type":"thread.started","thread_id":"t1"}\n`), "t1");
  assert.equal(threadIdIn(`{"type":"thread.started","thread_id":"t1"}`), undefined, "a line still written");
  assert.equal(threadIdIn(`{"type":"turn.started"}\n`), undefined);
  assert.equal(lastLines("a\n\nb\nc\n", 2), "b\nc");
  assert.equal(lastLines("x".repeat(3000)).length, 1500);
});

// The store is shared with the hooks: reading it directly shows what the hub registered.
Deno.test("exec fallback: the registration is one SessionStart marked as lifeline's spawn", async () => {
  const t = await setup((d) => script(d, "codex", FAKE_CODEX));
  try {
    const r = await t.api("/sessions", { cwd: t.ws, message: "hi", model: "gpt-x" });
    assert.equal(r.status, 201);
    const [cwd, ...argv] = (await Deno.readTextFile(join(t.root, "args"))).trimEnd().split("\n");
    assert.equal(cwd, t.ws);
    assert.deepEqual(argv.slice(3, 5), ["-m", "gpt-x"]);
    const store = Store.open(t.stateDir);
    try {
      const s = store.session(THREAD);
      assert.deepEqual([s?.model, s?.source, s?.turn_state], ["gpt-x", "startup", "pending_first_turn"]);
      const bodies = store.journalBodies(THREAD, "SessionStart", 5);
      assert.equal(bodies.length, 1);
      assert.equal(JSON.parse(bodies[0]!).payload.lifeline_source, "spawn");
    } finally {
      store.close();
    }
  } finally {
    await t.cleanup();
  }
});
