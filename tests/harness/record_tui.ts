/**
 * Re-records the real-TUI fixtures under `tests/testdata/recorded/tui/`.
 *
 *     deno run -A tests/harness/record_tui.ts [--version 0.169.0]... [--daemon|--nodaemon|--both]
 *       [--parallel 4] [case]...
 *
 * Defaults: versions 0.169.0 and 0.171.0, daemon on, 4 cases at a time, every case.
 *
 * @module
 */

import { TUI_VERSIONS } from "./codex_versions.ts";
import { TUI_CASES } from "./tui_cases.ts";
import { recordCase, recordingDir, writeRecording } from "./tui_recording.ts";

if (import.meta.main) {
  const versions: string[] = [];
  const names: string[] = [];
  let models = [true];
  let parallel = 4;
  const args = [...Deno.args];
  while (args.length) {
    const a = args.shift()!;
    if (a === "--version") versions.push(args.shift() ?? "");
    else if (a === "--daemon") models = [true];
    else if (a === "--nodaemon") models = [false];
    else if (a === "--both") models = [true, false];
    else if (a === "--parallel") parallel = Math.max(1, Number(args.shift()));
    else if (a.startsWith("--")) throw new Error(`Unknown option "${a}"`);
    else names.push(a);
  }
  const unknown = names.filter((n) => !TUI_CASES.some((c) => c.name === n));
  if (unknown.length) throw new Error(`Unknown case(s) ${unknown.map((n) => `"${n}"`).join(", ")}`);
  const jobs = (versions.length ? versions : [...TUI_VERSIONS]).flatMap((version) =>
    models.flatMap((daemon) =>
      TUI_CASES.filter((c) => (names.length === 0 || names.includes(c.name)) && (daemon || !c.daemonOnly))
        .map((c) => ({ c, version, daemon }))
    )
  );
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { c, version, daemon } = job;
      const started = Date.now();
      const lines = await recordCase(c, version, daemon);
      const path = await writeRecording(recordingDir(version, daemon), c.name, lines);
      const events = lines.filter((l) => l.kind === "hook" || l.kind === "notify").map((l) => l.event);
      const errors = lines.filter((l) => l.action === "error").map((l) => l.message);
      // deno-lint-ignore no-console
      console.error(
        `${path}: ${Math.round((Date.now() - started) / 1000)} s; ${events.join(" ")}` +
          (errors.length ? `; ERROR ${errors.join("; ")}` : ""),
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
