/**
 * The hub says when hooks could not write the store (issue 16, finding 5):
 * hooks then log to a fallback file outside the state dir, and `/healthz`
 * and `/sessions` name the problem and that file, so a person looking at the
 * hub learns why nothing new is recorded.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { startHub } from "../../hub/server.ts";
import { fallbackLogPath } from "../../lifecycle/fallback_log.ts";
import { readTail } from "../../lifecycle/observe.ts";

Deno.test("the hub names a store hooks could not write, and the fallback log", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "lifeline-store-problem-" });
  const log = fallbackLogPath(stateDir);
  const hub = startHub({ stateDir, port: 0, pingMs: 60_000 });
  const get = async (path: string) =>
    await (await fetch(hub.url + path, { headers: { authorization: `Bearer ${hub.token}` } })).json();
  try {
    assert.equal((await get("/healthz")).store_problem, null, "a healthy store has no problem");
    await Deno.mkdir(dirname(log), { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(log, "2026-12-01T00:00:00Z hook Stop: cannot write the store: disk full\n");
    const health = await get("/healthz");
    assert.match(health.store_problem.problem, /could not write to the store/);
    assert.equal(health.store_problem.fallback_log, log);
    assert.match(health.store_problem.last_error, /disk full/);
    assert.match((await get("/sessions")).store_problem.problem, /could not write/);
  } finally {
    await hub.close();
    await Deno.remove(dirname(log), { recursive: true }).catch(() => {});
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("reading a transcript tail never blocks on a FIFO at the path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-fifo-" });
  try {
    const fifo = `${dir}/rollout.jsonl`;
    const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(mk.success, "mkfifo");
    // Run in a child with a time limit: a blocking open would hang this process, not fail it.
    const code = `import { readTail } from ${
      JSON.stringify(new URL("../../lifecycle/observe.ts", import.meta.url).href)
    };
      console.log(JSON.stringify(readTail(${JSON.stringify(fifo)}) ?? null));`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-config", code],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).spawn();
    const out = await child.output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "null");
    assert.equal(readTail(`${dir}/missing.jsonl`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
