import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { loadScenarios, runScenario } from "../../simulator/mod.ts";
import { killProcessesReferencing } from "../../simulator/reap.ts";

/** Every live process whose argv mentions `path`, from `ps` (independent of the simulator's own lookup). */
async function psReferencing(path: string): Promise<string[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,args="], stdout: "piped" }).output();
  assert.ok(out.success, "ps runs");
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes(path));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("the process lookup sees a process that names a path in its argv", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-reap-" });
  // `sh -c SCRIPT NAME`: a shell waiting on its stdin, with no child, whose argv ends with the path.
  const child = new Deno.Command("sh", {
    args: ["-c", "read x", `${dir}/marker`],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    assert.equal((await psReferencing(`${dir}/`)).length, 1, "ps sees the sleeper");
    assert.deepEqual(await killProcessesReferencing(`${dir}/`), [child.pid]);
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.deepEqual(await psReferencing(`${dir}/`), []);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* killed above */ }
    await child.stdin.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a process whose cwd or environment is inside the dir is found and killed too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-reap-" });
  const waiter = (o: { cwd?: string; env?: Record<string, string> }) =>
    new Deno.Command("sh", { args: ["-c", "read x"], stdin: "piped", stdout: "null", stderr: "null", ...o })
      .spawn();
  const inside = waiter({ cwd: dir });
  const homed = waiter({ env: { HOME: dir } });
  const outside = waiter({});
  try {
    const killed = await killProcessesReferencing(`${dir}/`);
    assert.deepEqual(killed.sort(), [inside.pid, homed.pid].sort());
    assert.equal((await inside.status).signal, "SIGKILL");
    assert.equal((await homed.status).signal, "SIGKILL");
  } finally {
    for (const c of [inside, homed, outside]) {
      try {
        c.kill("SIGKILL");
      } catch { /* killed above */ }
      await c.stdin.close().catch(() => {});
      await c.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

const HUB_SCENARIOS = [
  "hub_drop_reconnect",
  "hub_messages_while_disconnected",
  "hub_sidecar_restarted",
  "hub_codex_dies_disconnected",
];

for (const name of HUB_SCENARIOS) {
  Deno.test(`no process of hub scenario ${name} outlives its temporary dir`, async () => {
    const [sc] = loadScenarios([join(LIFELINE_ROOT, "simulator/scenarios", `${name}.jsonl`)]);
    assert.ok(sc!.header.hub, "a hub scenario: its hooks start sidecars");
    const r = await runScenario(sc!);
    assert.deepEqual(r.failures, []);
    assert.ok(r.runs.some((x) => x.lifeline), "lifeline's hooks ran (and so started a sidecar)");
    assert.equal(await exists(r.dir), false, "the temporary dir is removed");
    assert.deepEqual(await psReferencing(`${r.dir}/`), [], "no process names the removed dir");
  });
}
