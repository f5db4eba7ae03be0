/**
 * A store with a few sessions, written through the real write path, and a
 * way to run the `lifeline` command as a process.
 */
import type { Observation } from "../../lifecycle/model.ts";
import type { Forwarding } from "../../lifecycle/forward/records.ts";
import { Store } from "../../lifecycle/store/mod.ts";

const MOD = new URL("../../cli/mod.ts", import.meta.url).pathname;

/** An observation of `event` in `session` at second `s` of 2026-01-01. */
export function ev(
  session: string,
  event: Observation["event"],
  payload: Record<string, unknown>,
  s: number,
  turn: string | null = null,
): Observation {
  return {
    key: `${session}-${event}-${s}`,
    event,
    session_id: session,
    turn_id: turn,
    observed_at: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(),
    payload: { session_id: session, hook_event_name: event, ...(turn ? { turn_id: turn } : {}), ...payload },
    pid: null,
    failure: null,
    blocked: false,
    hint_threshold: 0,
  };
}

/** One session that ran a tool and one whose second tool call was denied, then exited cleanly. */
export function sessionsOf(a: string, b: string, cwd: string): Observation[] {
  const start = (id: string) => ev(id, "SessionStart", { cwd, model: "gpt-test", source: "startup" }, 0);
  return [
    start(a),
    ev(a, "UserPromptSubmit", { cwd, prompt: "list files" }, 1, "t1"),
    ev(a, "PreToolUse", { tool_name: "Bash", tool_use_id: "c1", tool_input: { command: "ls -la" } }, 2, "t1"),
    ev(a, "PostToolUse", { tool_name: "Bash", tool_use_id: "c1", tool_response: "" }, 3, "t1"),
    ev(a, "Stop", { stop_hook_active: false, last_assistant_message: "done" }, 4, "t1"),
    start(b),
    ev(b, "UserPromptSubmit", { cwd, prompt: "delete" }, 5, "t1"),
    ev(
      b,
      "PreToolUse",
      { tool_name: "Bash", tool_use_id: "d1", tool_input: { command: "rm -rf x" } },
      6,
      "t1",
    ),
    ev(b, "Stop", { stop_hook_active: false, last_assistant_message: "refused" }, 7, "t1"),
    ev(b, "SessionEnd", { reason: "other" }, 8),
  ];
}

/** Writes observations into a store in `stateDir`. */
export function writeStore(stateDir: string, obs: Observation[], forward?: Forwarding): void {
  const store = Store.open(stateDir);
  try {
    for (const o of obs) store.recordAndClaim(o, undefined, false, forward);
  } finally {
    store.close();
  }
}

/** What a run of `lifeline` gave. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lifeline args…` with a clean environment plus `env`, piped. */
export async function lifeline(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Ran> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MOD, ...args],
    env: { HOME: Deno.env.get("HOME") ?? "/tmp", PATH: Deno.env.get("PATH") ?? "", NO_COLOR: "", ...env },
    clearEnv: true,
    ...(cwd ? { cwd } : {}),
    stdin: "null",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}
