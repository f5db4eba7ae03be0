/**
 * `deno task bench`: lifeline's speed budgets, measured in one run and
 * reported as ratios against a baseline measured in the same run.
 *
 * - each hook as installed (a copy with its pre-bundled entry), process
 *   start → committed write → exit, against a bare `deno run` that only
 *   reads stdin, run right before it (target: median ratio ≤ 1.3 and p95 ≤
 *   100 ms for every event);
 * - 16 hook processes of one event at once: every event stored, none failed;
 * - the in-process simulator (target ≥ 10,000 events/s);
 * - a hook forwarding to a target that hangs (its flush within 300 ms);
 * - the phases of one hook (`--lifeline-profile`), and the installer.
 *
 * `LIFELINE_BENCH_RUNS` sets the runs per row (default 21).
 *
 * @module
 */

import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../codex/events.ts";
import { hookDenoArgs } from "../hooks/permissions.ts";
import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { replayThroughput } from "./simulator.ts";
import { installerTimes } from "./installer.ts";
import { hangingTarget } from "./forward.ts";
import {
  BARE_ARGS,
  hookScript,
  installedHooks,
  payloadFor,
  phaseMedians,
  summarise,
  timed,
} from "./hooks.ts";

export { summarise } from "./hooks.ts";

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
const ms = (x: number, w = 8) => x.toFixed(1).padStart(w);

/**
 * The floor of any hook that writes the store (`bench/_floor.ts`: read stdin, import `node:sqlite`,
 * one WAL insert), timed against the bare baseline the same way as the hooks.
 */
async function floorRow(runs: number, stateDir: string, env: Record<string, string>): Promise<void> {
  const args = [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    `--allow-read=${stateDir}`,
    `--allow-write=${stateDir}`,
    join(LIFELINE_ROOT, "bench/_floor.ts"),
    stateDir,
  ];
  await timed(args, "{}", env); // warm
  const bare: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push((await timed(BARE_ARGS, payloadFor("Stop", i), env)).ms);
    floor.push((await timed(args, payloadFor("Stop", i), env)).ms);
  }
  const b = summarise(bare).median;
  const f = summarise(floor).median;
  out(
    `floor (stdin + import node:sqlite + one WAL insert): ${ms(f, 0)} ms vs bare ${ms(b, 0)} ms, ratio ${
      (f / b).toFixed(2)
    }: what any hook that writes the store pays before its own work`,
  );
}

/** Times every hook against the bare baseline, interleaved run by run; prints the table. */
async function hookTable(
  root: string,
  runs: number,
  flags: readonly string[],
  stateDir: string,
  env: Record<string, string>,
): Promise<{ worst: number; worstP95: number; failures: number }> {
  const rows = HOOK_EVENTS.map((e) => ({ event: e, bare: [] as number[], hook: [] as number[] }));
  let failures = 0;
  for (const e of HOOK_EVENTS) {
    await timed([...flags, hookScript(root, e), `--state-dir=${stateDir}`], payloadFor(e, 0), env); // warm
  }
  for (let i = 0; i < runs; i++) {
    for (const row of rows) {
      // The baseline right before each hook run: load that comes and goes hits both alike.
      row.bare.push((await timed(BARE_ARGS, payloadFor(row.event, i + 1), env)).ms);
      const r = await timed(
        [...flags, hookScript(root, row.event), `--state-dir=${stateDir}`],
        payloadFor(row.event, i + 1),
        env,
      );
      if (r.code !== 0) failures++;
      row.hook.push(r.ms);
    }
  }
  out(
    `\n${"event".padEnd(18)} ${"bare ms".padStart(8)} ${"hook ms".padStart(8)} ${"ratio".padStart(6)} ${
      "p95 ms".padStart(8)
    }`,
  );
  const ratios: number[] = [];
  let worstP95 = 0;
  for (const row of rows) {
    const b = summarise(row.bare).median;
    const h = summarise(row.hook);
    ratios.push(h.median / b);
    worstP95 = Math.max(worstP95, h.p95);
    out(
      `${row.event.padEnd(18)} ${ms(b)} ${ms(h.median)} ${(h.median / b).toFixed(2).padStart(6)} ${
        ms(h.p95)
      }`,
    );
  }
  const worst = Math.max(...ratios);
  out(
    `hook median ratio: worst ${worst.toFixed(2)}, median ${summarise(ratios).median.toFixed(2)} ` +
      `(target ≤ 1.30) ${worst <= 1.3 ? "PASS" : "MISS"}; worst p95 ${worstP95.toFixed(0)} ms ` +
      `(target ≤ 100) ${worstP95 <= 100 ? "PASS" : "MISS"}`,
  );
  return { worst, worstP95, failures };
}

/** 16 PostToolUse hooks at once: how many of their events the store holds after. */
async function burst(
  root: string,
  flags: readonly string[],
  stateDir: string,
  env: Record<string, string>,
  bareMs: number,
): Promise<void> {
  const count = () => {
    const s = Store.open(stateDir);
    try {
      return s.journal().length;
    } finally {
      s.close();
    }
  };
  const before = count();
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      timed(
        [...flags, hookScript(root, "PostToolUse"), `--state-dir=${stateDir}`],
        payloadFor("PostToolUse", 10_000 + i * 4),
        env,
      )),
  );
  const wall = performance.now() - t0;
  const stored = count() - before;
  const failed = runs.filter((r) => r.code !== 0).length;
  let errors = 0;
  try {
    errors = (await Deno.readTextFile(join(stateDir, "hook-errors.log"))).split("\n").filter(Boolean).length;
  } catch { /* none */ }
  out(
    `\n16 concurrent PostToolUse: ${stored}/16 stored, ${failed} failed, ${errors} error lines, ` +
      `wall ${wall.toFixed(0)} ms (${(wall / bareMs).toFixed(1)}× one bare start) ` +
      `${stored === 16 && failed === 0 && errors === 0 ? "PASS" : "MISS"}`,
  );
}

if (import.meta.main) {
  const runs = Number(Deno.env.get("LIFELINE_BENCH_RUNS") ?? 21);
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  const home = await Deno.makeTempDir({ prefix: "lifeline-bench-" });
  const stateDir = join(home, "state");
  const env = { HOME: home, PATH: path };
  const flags = hookDenoArgs({ stateDir, codexHome: join(home, ".codex"), deno: Deno.execPath() });
  const root = installedHooks(join(home, "app"));
  out(
    `lifeline bench: ${runs} runs per row, Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ` +
      `load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );
  out(
    "hooks as installed: a copy of the hook code with its pre-bundled entry (installer/app/hook_bundle.ts)",
  );
  await timed(BARE_ARGS, "{}", env); // warm
  const table = await hookTable(root, runs, flags, stateDir, env);
  const bare = summarise(
    await Promise.all([0, 1, 2].map(async () => (await timed(BARE_ARGS, "{}", env)).ms)),
  ).median;
  await floorRow(runs, stateDir, env);
  await burst(root, flags, stateDir, env, bare);
  out(table.failures ? `hook runs with a non-zero exit: ${table.failures}` : "every hook run exited 0");

  const phaseRuns = Math.max(5, Math.ceil(runs / 2));
  const phased = async (r: string) =>
    new Map(
      await phaseMedians({ root: r, event: "Stop" as HookEventName, flags, stateDir, runs: phaseRuns }, env),
    );
  const bundled = await phased(root);
  const source = await phased(LIFELINE_ROOT);
  out(`\nphases of one Stop hook, median of ${phaseRuns} runs (ms): installed (bundled) | from source`);
  for (const [k, v] of bundled) out(`  ${k.padEnd(18)} ${ms(v, 6)} | ${ms(source.get(k) ?? NaN, 6)}`);
  await Deno.remove(home, { recursive: true });

  const inproc = await replayThroughput({ inProcess: true, sessions: 20, turns: 50 });
  const sub = await replayThroughput({ inProcess: false, sessions: 2, turns: 5 });
  const rate = (r: { events: number; seconds: number }) => r.events / r.seconds;
  out(
    `\nsimulator in-process: ${inproc.events} events in ${inproc.seconds.toFixed(2)} s = ${
      rate(inproc).toFixed(0)
    } events/s (target ≥ 10000) ${rate(inproc) >= 10_000 ? "PASS" : "MISS"}; ${inproc.stored} journaled`,
  );
  out(
    `simulator subprocess hooks: ${sub.events} events in ${sub.seconds.toFixed(2)} s = ${
      rate(sub).toFixed(0)
    } events/s; ${sub.stored} journaled (in-process is ${(rate(inproc) / rate(sub)).toFixed(0)}× faster)`,
  );

  const fhome = await Deno.makeTempDir({ prefix: "lifeline-bench-app-" });
  try {
    const h = await hangingTarget(installedHooks(fhome), 9, path);
    out(
      `\nforwarding to a hanging target (accepts, never answers): flush phase ${h.flush.toFixed(0)} ms ` +
        `(budget ${h.budget} ms) ${h.flush <= h.budget ? "PASS" : "MISS"}; hook ${h.hook.toFixed(0)} ms ` +
        `vs ${h.plain.toFixed(0)} ms without forwarding`,
    );
  } finally {
    await Deno.remove(fhome, { recursive: true }).catch(() => {});
  }

  const inst = installerTimes(500);
  out(
    `\ninstaller on a ${inst.lines}-line config.toml: install plan ${
      inst.install.toFixed(1)
    } ms, surgical uninstall plan ${inst.uninstall.toFixed(1)} ms (target < 200 ms) ${
      Math.max(inst.install, inst.uninstall) < 200 ? "PASS" : "MISS"
    }`,
  );
}
