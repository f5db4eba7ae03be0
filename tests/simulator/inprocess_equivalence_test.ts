/**
 * The in-process runner parses each command line once and reuses the
 * settings of an environment; the store it writes must be exactly the one
 * that handling every event from scratch writes. One fake Codex drives both:
 * each hook call goes to the in-process runner and to a reference runner
 * that parses the command and reads the settings anew on every event, each
 * on its own store; the answers and the resulting stores (journal, sessions,
 * turns, failures and every other derived table) must be identical.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import { LATEST_PROFILE } from "../../codex/profiles.ts";
import { handleHook } from "../../hooks/in_process.ts";
import { hookSettings } from "../../hooks/hook_settings.ts";
import { HOOK_SCRIPTS, LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { writeCodexHome } from "../../simulator/codex_home.ts";
import { discover } from "../../simulator/discovery.ts";
import { FakeCodex, simClock } from "../../simulator/fake_codex.ts";
import type { HandlerRunner } from "../../simulator/fire.ts";
import { inProcessRunner } from "../../simulator/inprocess.ts";

const SCRIPT_EVENT = new Map<string, HookEventName | "Notify">([
  ...HOOK_EVENTS.map((e) => [HOOK_SCRIPTS[e], e] as const),
  ["notify.ts", "Notify"],
]);

/** Handles one call from scratch: the command parsed, the settings read, nothing remembered. */
function fresh(
  store: Store,
  command: readonly string[],
  input: string | string[],
  env: Record<string, string>,
) {
  const script = command.find((x) => /\/hooks\/[a-z_]+\.ts$/.test(x))!;
  const event = SCRIPT_EVENT.get(script.slice(script.lastIndexOf("/") + 1))!;
  const args = command.slice(command.indexOf(script) + 1);
  const settings = hookSettings(args, (k) => env[k]);
  return handleHook(event, input, {
    settings,
    now: () => settings.fakeNow ?? new Date(),
    ppid: Deno.pid,
    args,
    openStore: () => store,
    releaseStore: () => {},
  });
}

const shellWords = (command: string) =>
  [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2]!
  );

type Action =
  | { kind: "prompt" | "assistant"; session: number; text: string }
  | { kind: "tool"; session: number; exit: number; output: string }
  | { kind: "interrupt" | "compact" | "exit"; session: number };

const text = fc.constantFrom(
  "run the tests",
  "ok",
  "token=sk-proj-abcdefghijklmnop1234",
  "done",
  "mail a@b.io",
);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constantFrom("prompt" as const, "assistant" as const), session: fc.nat(1), text }),
  fc.record({
    kind: fc.constant("tool" as const),
    session: fc.nat(1),
    exit: fc.constantFrom(0, 0, 1, 2),
    output: text,
  }),
  fc.record({
    kind: fc.constantFrom("interrupt" as const, "compact" as const, "exit" as const),
    session: fc.nat(1),
  }),
);

async function replay(actions: readonly Action[]): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-inproc-eq-" });
  const cached = inProcessRunner();
  const reference = Store.memory();
  try {
    const places = {
      deno: Deno.execPath(),
      root: LIFELINE_ROOT,
      codexHome: join(dir, ".codex"),
      stateDir: join(dir, ".lifeline"),
    };
    await writeCodexHome({ places, profile: LATEST_PROFILE });
    const both: HandlerRunner = {
      async run(h, stdin, cwd, env, timeoutSec) {
        const a = await cached.run(h, stdin, cwd, env, timeoutSec);
        let b: { stdout: string; stderr: string; exitCode: number };
        try {
          b = fresh(reference, shellWords(h.handler.command ?? ""), stdin, env);
        } catch (e) {
          b = { stdout: "", stderr: String(e), exitCode: 0 };
        }
        assert.deepEqual({ code: a.code, stdout: a.stdout, stderr: a.stderr }, {
          code: b.exitCode,
          stdout: b.stdout,
          stderr: b.stderr,
        });
        return a;
      },
      notify(argv, payload, env) {
        if (!cached.notify(argv, payload, env)) return false;
        fresh(reference, argv, [payload], env);
        return true;
      },
    };
    const engine = new FakeCodex({
      profile: LATEST_PROFILE,
      discovery: discover(places.codexHome, LATEST_PROFILE),
      codexHome: places.codexHome,
      workspace: dir,
      clock: simClock(new Date("2026-11-21T00:00:00Z")),
      env: { HOME: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      seed: "equivalence",
      runner: both,
    });
    const started = new Set<number>();
    const open = new Set<number>();
    const generation = [0, 0];
    for (const a of actions) {
      const label = `s${a.session}-${generation[a.session]}`;
      if (!started.has(a.session)) {
        engine.start(label);
        started.add(a.session);
      }
      if (a.kind === "exit") {
        await engine.exit(label);
        generation[a.session]!++;
        started.delete(a.session);
        open.delete(a.session);
      } else if (a.kind === "prompt") {
        await engine.prompt(label, a.text);
        open.add(a.session);
      } else if (!open.has(a.session)) continue; // the rest needs a turn
      else if (a.kind === "tool") {
        await engine.tool(label, {
          name: "Bash",
          command: "cargo test",
          output: a.output,
          exit_code: a.exit,
        });
      } else if (a.kind === "assistant") {
        await engine.assistant(label, a.text);
        open.delete(a.session);
      } else if (a.kind === "interrupt") {
        await engine.interrupt(label);
        open.delete(a.session);
      } else await engine.compact(label, "manual");
    }
    await engine.close();
    assert.ok(cached.store.journal().length > 0, "the replay journaled nothing");
    assert.deepEqual(cached.store.journal(), reference.journal());
    assert.deepEqual(cached.store.dump(), reference.dump());
  } finally {
    cached.close();
    reference.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test("in-process replay writes the store that handling each event from scratch writes", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(action, { maxLength: 25 }).map((
        xs,
      ): Action[] => [{ kind: "prompt", session: 0, text: "go" }, ...xs]),
      replay,
    ),
    {
      numRuns: 15,
    },
  );
});
