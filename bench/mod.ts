/**
 * `deno task bench`: lifeline's speed budgets, measured in one run and
 * reported as ratios against a baseline measured in the same run.
 *
 * - each hook, process start → committed write → exit, against a bare
 *   `deno run` script that only reads stdin (target: median ratio ≤ 1.3);
 * - 16 hook processes of one event at once: every event stored, none failed.
 *
 * @module
 */

import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../codex/events.ts";
import { HOOK_SCRIPTS, LIFELINE_ROOT } from "../hooks/handlers.ts";
import { hookDenoArgs } from "../hooks/permissions.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { replayThroughput } from "./simulator.ts";
import { installerTimes } from "./installer.ts";

/** Median and 95th percentile of a sample (ms). */
export function summarise(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] ?? NaN;
  return { median: at(0.5), p95: at(0.95) };
}

async function timed(
  args: string[],
  stdin: string,
  env: Record<string, string>,
): Promise<{ ms: number; code: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
    env,
    clearEnv: true,
  })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const { code } = await child.status;
  return { ms: performance.now() - t0, code };
}

function payloadFor(event: HookEventName, i: number): string {
  return JSON.stringify({
    session_id: `bench-${i % 4}`,
    turn_id: `t-${Math.floor(i / 4)}`,
    transcript_path: null,
    cwd: "/home/bench/project",
    hook_event_name: event,
    model: "gpt-5",
    permission_mode: "default",
    source: "startup",
    prompt: `run the tests ${i}`,
    tool_name: "Bash",
    tool_use_id: `call_${i}`,
    tool_input: { command: "cargo test" },
    tool_response: "ok",
    trigger: "auto",
    agent_type: "worker",
    stop_hook_active: false,
    last_assistant_message: "done",
    reason: "other",
  });
}

if (import.meta.main) {
  const runs = Number(Deno.env.get("LIFELINE_BENCH_RUNS") ?? 21);
  const home = await Deno.makeTempDir({ prefix: "lifeline-bench-" });
  const stateDir = join(home, "state");
  const env = { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const flags = hookDenoArgs({ stateDir, codexHome: join(home, ".codex"), deno: Deno.execPath() });
  const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
  out(
    `lifeline bench: ${runs} runs per row, Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores`,
  );
  // warm the module cache for every script
  await timed(
    ["run", "--no-prompt", "--no-config", "--no-lock", join(LIFELINE_ROOT, "bench/_bare.ts")],
    "{}",
    env,
  );
  for (const e of HOOK_EVENTS) {
    await timed(
      [...flags, join(LIFELINE_ROOT, "hooks", HOOK_SCRIPTS[e]), `--state-dir=${stateDir}`],
      payloadFor(e, 0),
      env,
    );
  }
  const bare: number[] = [];
  const rows: [string, number[]][] = HOOK_EVENTS.map((e) => [e, []]);
  let failures = 0;
  // Interleave so that machine noise hits baseline and hooks alike.
  for (let i = 0; i < runs; i++) {
    bare.push(
      (await timed(
        ["run", "--no-prompt", "--no-config", "--no-lock", join(LIFELINE_ROOT, "bench/_bare.ts")],
        payloadFor("Stop", i),
        env,
      )).ms,
    );
    for (const [e, xs] of rows) {
      const r = await timed(
        [...flags, join(LIFELINE_ROOT, "hooks", HOOK_SCRIPTS[e as HookEventName]), `--state-dir=${stateDir}`],
        payloadFor(e as HookEventName, i + 1),
        env,
      );
      if (r.code !== 0) failures++;
      xs.push(r.ms);
    }
  }
  const b = summarise(bare);
  out(`\n${"script".padEnd(20)} ${"median".padStart(9)} ${"p95".padStart(9)} ${"ratio".padStart(7)}`);
  out(
    `${"bare deno (stdin)".padEnd(20)} ${b.median.toFixed(1).padStart(7)}ms ${
      b.p95.toFixed(1).padStart(7)
    }ms ${"1.00".padStart(7)}`,
  );
  const ratios: number[] = [];
  for (const [e, xs] of rows) {
    const s = summarise(xs);
    ratios.push(s.median / b.median);
    out(
      `${e.padEnd(20)} ${s.median.toFixed(1).padStart(7)}ms ${s.p95.toFixed(1).padStart(7)}ms ${
        (s.median / b.median).toFixed(2).padStart(7)
      }`,
    );
  }
  const worst = Math.max(...ratios);
  out(
    `\nhook median ratio: worst ${worst.toFixed(2)}, median ${
      summarise(ratios).median.toFixed(2)
    } (target ≤ 1.30) ${worst <= 1.3 ? "PASS" : "MISS"}`,
  );

  // 16 at once, one event, one session.
  const before = (() => {
    const s = Store.open(stateDir);
    const n = s.journal().length;
    s.close();
    return n;
  })();
  const t0 = performance.now();
  const burst = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      timed(
        [...flags, join(LIFELINE_ROOT, "hooks", "post_tool_use.ts"), `--state-dir=${stateDir}`],
        payloadFor("PostToolUse", 10_000 + i * 4),
        env,
      )),
  );
  const wall = performance.now() - t0;
  const store = Store.open(stateDir);
  const stored = store.journal().length - before;
  store.close();
  const failed = burst.filter((r) => r.code !== 0).length;
  let errors = "";
  try {
    errors = await Deno.readTextFile(join(stateDir, "hook-errors.log"));
  } catch { /* none */ }
  out(
    `16 concurrent PostToolUse: ${stored}/16 stored, ${failed} failed, ${
      errors.split("\n").filter(Boolean).length
    } error lines, wall ${wall.toFixed(0)}ms (${(wall / b.median).toFixed(1)}× one bare start)`,
  );
  out(failures ? `hook runs with a non-zero exit: ${failures}` : "every hook run exited 0");
  await Deno.remove(home, { recursive: true });

  // The simulator: in-process replay and real hook subprocesses.
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

  // The installer on a 500-line config.toml.
  const inst = installerTimes(500);
  out(
    `\ninstaller on a ${inst.lines}-line config.toml: install plan ${
      inst.install.toFixed(1)
    } ms, surgical uninstall plan ${inst.uninstall.toFixed(1)} ms (target < 200 ms) ${
      Math.max(inst.install, inst.uninstall) < 200 ? "PASS" : "MISS"
    }`,
  );

  // Forwarding: a hook whose target hangs stays within its flush budget.
  {
    let release: () => void = () => {};
    const hold = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    const srv = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      async () => {
        await hold;
        return new Response("late");
      },
    );
    const host = `127.0.0.1:${srv.addr.port}`;
    const fhome = await Deno.makeTempDir({ prefix: "lifeline-bench-fwd-" });
    const fstate = join(fhome, "state");
    const fenv = { ...env, HOME: fhome, LIFELINE_NEOTOMA_URL: `http://${host}`, LIFELINE_SIDECAR: "off" };
    const fflags = hookDenoArgs({
      stateDir: fstate,
      codexHome: join(fhome, ".codex"),
      deno: Deno.execPath(),
      netHosts: [host],
    });
    const plainFlags = hookDenoArgs({
      stateDir: fstate,
      codexHome: join(fhome, ".codex"),
      deno: Deno.execPath(),
    });
    const hanging: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 9; i++) {
      hanging.push(
        (await timed(
          [...fflags, join(LIFELINE_ROOT, "hooks", "user_prompt_submit.ts"), `--state-dir=${fstate}`],
          payloadFor("UserPromptSubmit", 50_000 + i),
          fenv,
        )).ms,
      );
      plain.push(
        (await timed(
          [...plainFlags, join(LIFELINE_ROOT, "hooks", "user_prompt_submit.ts"), `--state-dir=${fstate}`],
          payloadFor("UserPromptSubmit", 60_000 + i),
          { ...env, HOME: fhome },
        )).ms,
      );
    }
    release();
    ac.abort();
    await srv.finished;
    const h = summarise(hanging).median, pl = summarise(plain).median;
    out(
      `\nforwarding to a hanging target: hook median ${h.toFixed(1)} ms vs ${
        pl.toFixed(1)
      } ms without forwarding (+${(h - pl).toFixed(0)} ms; flush budget 300 ms) ${
        h - pl <= 300 + 50 ? "PASS" : "MISS"
      }`,
    );
    await Deno.remove(fhome, { recursive: true });
  }
}
