/**
 * Records the fixtures under `tests/testdata/recorded/` by running each
 * scripted session with the real Codex CLI. Run it with
 * `deno run -A tests/harness/record_payloads.ts`.
 *
 * @module
 */

import { recordedPath, runScript, SCRIPTS } from "./sessions.ts";

if (import.meta.main) {
  await Deno.mkdir(new URL("../testdata/recorded/", import.meta.url), { recursive: true });
  for (const script of SCRIPTS) {
    const run = await runScript(script);
    const lines = [
      ...run.hookLines.map((l) => JSON.stringify({ kind: "hook", pid: l.pid, payload: l.payload })),
      ...run.notifyLines.map((l) => JSON.stringify({ kind: "notify", pid: l.pid, payload: l.payload })),
    ];
    await Deno.writeTextFile(recordedPath(script.name), lines.join("\n") + "\n");
    // Keep the session transcript too: shell exit codes live only there.
    const transcript = run.hooks.find((h) => typeof h.transcript_path === "string")?.transcript_path;
    if (typeof transcript === "string") {
      await Deno.copyFile(transcript, recordedPath(script.name).replace(/\.jsonl$/, ".transcript.jsonl"));
    }
    // deno-lint-ignore no-console
    console.error(
      `recorded ${script.name}: ${run.hooks.length} hook payloads, ${run.notify.length} notify (codex exit ${run.exec.code})`,
    );
  }
}
