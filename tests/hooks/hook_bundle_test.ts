/**
 * The hooks of an installed copy run from one pre-bundled module
 * (`installer/app/hook_bundle.ts`): they must record exactly what the source
 * hooks record, find the sidecar's script, and keep their command lines.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { HOOK_SCRIPTS, LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { PROFILE_FLAG } from "../../hooks/limits.ts";
import { bundleHooks, HOOK_BUNDLE, pointAtBundle, relocateBundle } from "../../installer/app/hook_bundle.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { runHookProcess, sandbox } from "../harness/hook_process.ts";

/** Copies the folders Codex runs code from, as the installer's copy does (source files only). */
function copySources(dest: string): void {
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(".ts")) {
        const to = join(dest, relative(LIFELINE_ROOT, p));
        Deno.mkdirSync(join(to, ".."), { recursive: true });
        Deno.copyFileSync(p, to);
      }
    }
  };
  for (const f of ["codex", "lifecycle", "hooks", "hub"]) walk(join(LIFELINE_ROOT, f));
}

const payload = (event: string, i: number) =>
  JSON.stringify({
    session_id: "bundled",
    turn_id: `t${i}`,
    cwd: "/",
    hook_event_name: event,
    prompt: `mail ann@example.com ${i}`,
    tool_name: "Bash",
    tool_use_id: `call_${i}`,
    tool_input: { command: "ls" },
    tool_response: "ok",
    last_assistant_message: "done",
  });

Deno.test("a copy's hooks run from the bundle and record what the source hooks record", async () => {
  const sb = await sandbox();
  try {
    const copy = join(sb.home, "app");
    copySources(copy);
    bundleHooks(copy, Deno.execPath());
    const hooks = join(copy, "hooks");
    for (const script of [...Object.values(HOOK_SCRIPTS), "notify.ts"]) {
      const text = Deno.readTextFileSync(join(hooks, script));
      assert.ok(text.includes(`from "./${HOOK_BUNDLE}";`), `${script} does not import the bundle`);
      assert.ok(!text.includes('from "./_runner.ts"'), `${script} still imports the runner`);
    }
    // The one module-relative path in the hook graph still finds the sidecar from hooks/.
    const bundle = Deno.readTextFileSync(join(hooks, HOOK_BUNDLE));
    assert.ok(bundle.includes('new URL("../hub/sidecar.ts", import.meta.url)'));
    assert.ok(Deno.statSync(join(copy, "hub/sidecar.ts")).isFile);

    const events = ["SessionStart", "UserPromptSubmit", "PostToolUse", "Stop"] as const;
    const bundledState = join(sb.home, "bundled-state");
    for (const [root, stateDir] of [[copy, bundledState], [LIFELINE_ROOT, sb.stateDir]] as const) {
      for (const [i, e] of events.entries()) {
        const r = await runHookProcess(e, payload(e, i), { ...sb, root, stateDir }, {
          env: { LIFELINE_SIDECAR: "off", LIFELINE_FAKE_NOW: "2026-11-21T00:00:00.000Z" },
        });
        assert.deepEqual(r, { code: 0, stdout: "", stderr: "" }, `${e} from ${root}`);
      }
    }
    const journal = (dir: string) => {
      const s = Store.open(dir);
      try {
        return s.journal();
      } finally {
        s.close();
      }
    };
    const bundled = journal(bundledState);
    assert.deepEqual(bundled.map((o) => o.event), [...events]);
    assert.ok(JSON.stringify(bundled).includes("<EMAIL>"), "the bundled hooks scrub");
    assert.deepEqual(bundled, journal(sb.stateDir), "bundled and source hooks journal the same");

    // A copy made from a copy: the scripts already point at the bundle, which is rebuilt.
    Deno.removeSync(join(hooks, HOOK_BUNDLE));
    bundleHooks(copy, Deno.execPath());
    assert.ok(Deno.statSync(join(hooks, HOOK_BUNDLE)).isFile);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("the bundle is refused when its module-relative URLs are not the one it knows", () => {
  const sidecar = 'new URL("./sidecar.ts", import.meta.url)';
  assert.equal(relocateBundle(`a(${sidecar})`), 'a(new URL("../hub/sidecar.ts", import.meta.url))');
  assert.throws(() => relocateBundle("no url here"), /found 0 uses/);
  assert.throws(() => relocateBundle(`${sidecar}; new URL("./x.ts", import.meta.url)`), /found 2 uses/);
  const script = 'import { runHook } from "./_runner.ts";\nawait runHook("Stop");\n';
  const pointed = pointAtBundle("stop.ts", script);
  assert.equal(pointed, 'import { runHook } from "./_hook.js";\nawait runHook("Stop");\n');
  assert.equal(pointAtBundle("stop.ts", pointed), pointed);
  assert.throws(() => pointAtBundle("odd.ts", 'import "./other.ts";'), /"odd.ts"/);
});

Deno.test("--lifeline-profile prints the phases of one hook on stderr, and the hook still records", async () => {
  const sb = await sandbox();
  try {
    const r = await runHookProcess("Stop", payload("Stop", 1), sb, {
      env: { LIFELINE_SIDECAR: "off" },
      extraArgs: [PROFILE_FLAG],
    });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "");
    const p = JSON.parse(r.stderr) as { origin: number; end: number; phases: [string, number][] };
    const names = p.phases.map(([k]) => k);
    for (
      const k of ["module loading", "settings", "parse", "scrub", "open", "transaction", "close", "output"]
    ) {
      assert.ok(names.includes(k), `no phase "${k}" in ${names.join(", ")}`);
    }
    assert.ok(p.phases.every(([, ms]) => ms >= 0) && p.end >= p.origin);
    const s = Store.open(sb.stateDir);
    assert.equal(s.journal().length, 1);
    s.close();
  } finally {
    await sb.cleanup();
  }
});
