/**
 * Hook processes, timed: each hook as the installer runs it (a copy of the
 * hook code with its pre-bundled entry) against a bare `deno run` measured
 * right before it, and the phases of one hook (`--lifeline-profile`).
 *
 * @module
 */

import { join, relative } from "node:path";
import type { HookEventName } from "../codex/events.ts";
import { HOOK_SCRIPTS, LIFELINE_ROOT } from "../hooks/handlers.ts";
import { PROFILE_FLAG } from "../hooks/limits.ts";
import { bundleHooks } from "../installer/app/hook_bundle.ts";

/** The bare baseline: `deno run` of a script that only reads stdin. */
export const BARE_ARGS: readonly string[] = [
  "run",
  "--no-prompt",
  "--no-config",
  "--no-lock",
  join(LIFELINE_ROOT, "bench/_bare.ts"),
];

/** Median and 95th percentile of a sample (ms). */
export function summarise(xs: readonly number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] ?? NaN;
  return { median: at(0.5), p95: at(0.95) };
}

/** One process run: spawn → exit, with the payload on stdin. */
export interface Timed {
  ms: number;
  code: number;
  /** Absolute times (ms since the epoch), for relating the child's phase marks to the spawn. */
  spawnedAt: number;
  exitedAt: number;
  stderr: string;
}

/** Runs `deno <args>` with `stdin`, a clean environment `env`, and times it. */
export async function timed(
  args: readonly string[],
  stdin: string,
  env: Record<string, string>,
): Promise<Timed> {
  const clock = () => performance.timeOrigin + performance.now();
  const spawnedAt = clock();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
    env,
    clearEnv: true,
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  const ms = performance.now() - t0;
  return { ms, code: out.code, spawnedAt, exitedAt: clock(), stderr: new TextDecoder().decode(out.stderr) };
}

/** A payload of `event` that every hook accepts (`i` varies the turn and tool call). */
export function payloadFor(event: HookEventName, i: number): string {
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
    status: "completed",
  });
}

/**
 * The hook code as an install lays it out: the folders Codex runs code from,
 * copied under `dir`, with the hooks' bundle built into the copy.
 */
export function installedHooks(dir: string): string {
  for (const folder of ["codex", "lifecycle", "hooks", "hub"]) {
    const walk = (from: string) => {
      for (const e of Deno.readDirSync(from)) {
        const p = join(from, e.name);
        if (e.isDirectory) walk(p);
        else if (e.isFile && e.name.endsWith(".ts")) {
          const to = join(dir, relative(LIFELINE_ROOT, p));
          Deno.mkdirSync(join(to, ".."), { recursive: true });
          Deno.copyFileSync(p, to);
        }
      }
    };
    walk(join(LIFELINE_ROOT, folder));
  }
  bundleHooks(dir, Deno.execPath());
  return dir;
}

/** The path of `event`'s script under a code root. */
export function hookScript(root: string, event: HookEventName): string {
  return join(root, "hooks", HOOK_SCRIPTS[event]);
}

/** One hook's phases (ms), from its `--lifeline-profile` line and the parent's spawn and exit times. */
export function phasesOf(run: Timed): [string, number][] | undefined {
  const line = run.stderr.trim().split("\n").at(-1);
  if (!line?.startsWith("{")) return undefined;
  const p = JSON.parse(line) as { origin: number; end: number; phases: [string, number][] };
  return [["start", p.origin - run.spawnedAt], ...p.phases, ["exit", run.exitedAt - p.end]];
}

/** Median of every phase over `runs` runs of `event`'s hook under `root`. */
export async function phaseMedians(
  o: { root: string; event: HookEventName; flags: readonly string[]; stateDir: string; runs: number },
  env: Record<string, string>,
): Promise<[string, number][]> {
  const all = new Map<string, number[]>();
  for (let i = 0; i < o.runs; i++) {
    const r = await timed(
      [...o.flags, hookScript(o.root, o.event), `--state-dir=${o.stateDir}`, PROFILE_FLAG],
      payloadFor(o.event, 70_000 + i),
      env,
    );
    for (const [k, v] of phasesOf(r) ?? []) all.set(k, [...(all.get(k) ?? []), v]);
    all.set("total", [...(all.get("total") ?? []), r.ms]);
  }
  return [...all].map(([k, xs]) => [k, summarise(xs).median]);
}
