/**
 * Fuzzing every hook with random and mutated real payloads through the real
 * hook handling: in-process (hooks/in_process.ts) for volume, and a smaller
 * number as real `deno run` subprocesses with the installer's exact flags.
 * Every run must answer something Codex accepts (exit 0, valid output), and
 * no event whose essential fields are valid may be lost. The essential
 * fields are those `codex/lenient.ts` documents.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import { interpretRun } from "../../codex/interpret.ts";
import type { HookDeps } from "../../hooks/handle.ts";
import { handleHook } from "../../hooks/in_process.ts";
import { hookSettings } from "../../hooks/hook_settings.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { errorLog, runHookProcess, sandbox } from "../harness/hook_process.ts";
import { readRecorded, RECORDED_NAMES } from "../harness/sessions.ts";

/** `LIFELINE_FUZZ_SEED` explores other inputs; the default keeps every run reproducible. */
const SEED = Number(Deno.env.get("LIFELINE_FUZZ_SEED") ?? 1612);

const TOOL_EVENTS = new Set(["PreToolUse", "PermissionRequest", "PostToolUse"]);
const USE_ID_EVENTS = new Set(["PreToolUse", "PostToolUse"]);

/** Whether a payload's essential fields are valid for `event` (see `codex/lenient.ts`). */
function essentialValid(p: unknown, event: HookEventName): boolean {
  if (typeof p !== "object" || p === null || Array.isArray(p)) return false;
  const o = p as Record<string, unknown>;
  if (typeof o.session_id !== "string") return false;
  if (o.hook_event_name !== undefined && o.hook_event_name !== event) return false;
  if (o.turn_id !== undefined && typeof o.turn_id !== "string") return false;
  if (USE_ID_EVENTS.has(event) && o.tool_use_id !== undefined && typeof o.tool_use_id !== "string") {
    return false;
  }
  if (TOOL_EVENTS.has(event) && typeof o.tool_name !== "string") return false;
  return true;
}

const recorded: Record<string, unknown>[] = [];
for (const name of RECORDED_NAMES) {
  for (const r of await readRecorded(name)) if (r.kind === "hook") recorded.push({ ...r.payload });
}
const byEvent = (e: HookEventName) => recorded.filter((p) => p.hook_event_name === e);
// Events no recorded session has: a minimal payload per the contract.
const MINIMAL: Record<string, Record<string, unknown>> = {
  PermissionRequest: { tool_name: "Bash", tool_input: { command: "ls" } },
  PreCompact: { trigger: "auto" },
  PostCompact: { trigger: "auto" },
  SubagentStart: { agent_type: "worker", agent_id: "a1" },
  SubagentStop: { agent_type: "worker", agent_id: "a1", stop_hook_active: false },
  SessionEnd: { reason: "other" },
  Interrupt: {},
};
function seeds(e: HookEventName): Record<string, unknown>[] {
  const real = byEvent(e);
  if (real.length > 0) return real;
  return [{ session_id: "s", turn_id: "t", cwd: "/w", hook_event_name: e, ...MINIMAL[e] }];
}

const FIELDS = [
  "session_id",
  "turn_id",
  "hook_event_name",
  "cwd",
  "model",
  "permission_mode",
  "transcript_path",
  "client",
  "source",
  "prompt",
  "tool_name",
  "tool_use_id",
  "tool_input",
  "tool_response",
  "trigger",
  "agent_type",
  "agent_id",
  "reason",
  "stop_hook_active",
  "last_assistant_message",
  "agent_transcript_path",
];

const odd: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constant("a\u0000b"),
  fc.constant(""),
  fc.integer().map((d) => JSON.parse("[".repeat(Math.abs(d % 300) + 1) + "]".repeat(Math.abs(d % 300) + 1))),
);

type Mutation = { kind: "set"; field: string; value: unknown } | { kind: "delete"; field: string };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), field: fc.constantFrom(...FIELDS), value: odd }),
  fc.record({ kind: fc.constant("delete" as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({ kind: fc.constant("set" as const), field: fc.string({ maxLength: 12 }), value: odd }),
);

/** A mutated real payload (or, sometimes, something random) with a unique session id. */
const payload: fc.Arbitrary<{ event: HookEventName; text: string; value: unknown }> = fc.constantFrom(
  ...HOOK_EVENTS,
).chain((event) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.tuple(fc.constantFrom(...seeds(event)), fc.array(mutation, { maxLength: 4 })),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constant(undefined), fc.constant([] as Mutation[])) },
  ).chain(([seed, muts]) =>
    (seed === undefined ? fc.jsonValue({ maxDepth: 4 }) : fc.constant(seed)).map((base) => {
      let value: unknown = base;
      if (typeof base === "object" && base !== null && !Array.isArray(base)) {
        const o: Record<string, unknown> = { ...base, session_id: `fz-${crypto.randomUUID()}` };
        for (const m of muts) {
          if (m.kind === "delete") delete o[m.field];
          else o[m.field] = m.value;
        }
        value = o;
      }
      return { event, text: JSON.stringify(value) ?? "null", value };
    })
  )
);

/** The session id as stored: NUL becomes "␀" (see `codex/lenient.ts`). */
function storedId(value: unknown): string {
  return ((value as Record<string, unknown>).session_id as string).replaceAll("\0", "\u2400");
}

function assertValidAnswer(event: HookEventName, stdout: string, stderr: string, code: number) {
  const r = interpretRun(event, code, stdout, stderr);
  assert.notEqual(r.status, "failed", `${event}: ${r.error}; stdout ${stdout}`);
  assert.equal(code, 0);
}

Deno.test("fuzz in-process: valid answers, no event with valid essential fields lost", async () => {
  const dir = await Deno.makeTempDir();
  const store = Store.open(dir);
  try {
    const deps: HookDeps = {
      settings: hookSettings([`--state-dir=${dir}`], () => undefined),
      now: () => new Date(),
      ppid: 1,
      args: [],
      openStore: () => store,
      releaseStore: () => {},
    };
    let recordedCount = 0;
    fc.assert(
      fc.property(payload, ({ event, text, value }) => {
        const valid = essentialValid(value, event);
        let out;
        try {
          out = handleHook(event, text, deps);
        } catch (e) {
          assert.ok(
            !valid,
            `${event} lost although its essential fields are valid: ${e}\n${text.slice(0, 500)}`,
          );
          assert.equal((e as Error).name, "ContractError", `${event}: ${e}`);
          return;
        }
        assert.ok(valid, `${event} accepted with invalid essential fields: ${text.slice(0, 300)}`);
        assertValidAnswer(event, out.stdout, out.stderr, out.exitCode);
        assert.ok(store.session(storedId(value)), `${event} not recorded: ${text.slice(0, 300)}`);
        recordedCount++;
      }),
      { numRuns: 600, seed: SEED },
    );
    assert.ok(recordedCount > 200, `only ${recordedCount} payloads were recorded`);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fuzz as real hook processes: exit 0, valid output, events kept", async () => {
  const sb = await sandbox();
  try {
    const samples = fc.sample(payload, { numRuns: 24, seed: SEED + 1 });
    for (const { event, text, value } of samples) {
      const run = await runHookProcess(event, text, sb, { env: { LIFELINE_SIDECAR: "off" } });
      assertValidAnswer(event, run.stdout, run.stderr, run.code);
      assert.equal(run.stderr, "");
      if (essentialValid(value, event)) {
        const store = Store.open(sb.stateDir);
        const kept = store.session(storedId(value)) !== undefined;
        store.close();
        assert.ok(kept, `${event} lost: ${await errorLog(sb.stateDir)}\n${text.slice(0, 300)}`);
      }
    }
  } finally {
    await sb.cleanup();
  }
});
