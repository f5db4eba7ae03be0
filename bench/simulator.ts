/**
 * Simulator throughput: hook events per second replayed by the fake Codex,
 * in-process (lifeline's handlers called as functions on one store) and
 * through real `deno run` hook subprocesses.
 *
 * @module
 */

import { join } from "node:path";
import { LATEST_PROFILE } from "../codex/profiles.ts";
import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import { writeCodexHome } from "../simulator/codex_home.ts";
import { discover } from "../simulator/discovery.ts";
import { FakeCodex, simClock } from "../simulator/fake_codex.ts";
import { inProcessRunner } from "../simulator/inprocess.ts";
import { Store } from "../lifecycle/store/mod.ts";

/** Replays `turns` turns (prompt, two tool calls, answer) per session over `sessions` sessions. */
export async function replayThroughput(
  opts: { inProcess: boolean; sessions: number; turns: number },
): Promise<{ events: number; seconds: number; stored: number }> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-bench-sim-" });
  try {
    const places = {
      deno: Deno.execPath(),
      root: LIFELINE_ROOT,
      codexHome: join(dir, ".codex"),
      stateDir: join(dir, ".lifeline"),
    };
    await writeCodexHome({ places, profile: LATEST_PROFILE });
    const runner = opts.inProcess ? inProcessRunner() : undefined;
    const engine = new FakeCodex({
      profile: LATEST_PROFILE,
      discovery: discover(places.codexHome, LATEST_PROFILE),
      codexHome: places.codexHome,
      workspace: dir,
      clock: simClock(new Date("2026-11-21T00:00:00Z")),
      env: { HOME: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      seed: "bench",
      ...(runner ? { runner } : {}),
    });
    const t0 = performance.now();
    for (let s = 0; s < opts.sessions; s++) {
      const label = `s${s}`;
      engine.start(label);
      for (let t = 0; t < opts.turns; t++) {
        await engine.prompt(label, `prompt ${t}`);
        await engine.tool(label, {
          name: "Bash",
          command: "cargo test",
          output: "ok",
          exit_code: t % 5 === 0 ? 1 : 0,
        });
        await engine.tool(label, { name: "Bash", command: "git diff", output: "", exit_code: 0 });
        await engine.assistant(label, `answer ${t}`);
      }
      await engine.exit(label);
    }
    await engine.settle();
    const seconds = (performance.now() - t0) / 1000;
    const events = engine.runs.length + engine.notifications.length;
    await engine.close();
    const store = runner?.store ?? Store.open(places.stateDir);
    const stored = store.journal().length;
    store.close();
    return { events, seconds, stored };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
