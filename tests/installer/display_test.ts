/** The dry-run as a person sees it: summary first, colour only on request, long commands shortened. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { displayDiff, MAX_LINE, shortenLine } from "../../installer/display.ts";
import { installer, makeHome } from "./_run.ts";

const ESC = String.fromCharCode(27);

Deno.test("a hook command line shows as deno run … hooks/<script> …", () => {
  const line =
    `+  "command": "/opt/deno/bin/deno run --no-prompt --allow-read=/s,/c/sessions --allow-write=/s ` +
    `/s/app/0.1.0-abc/hooks/stop.ts --state-dir=/s --deadline-ms=5000 --codex-pid=$PPID",`;
  assert.equal(shortenLine(line), `+  "command": "deno run … hooks/stop.ts …",`);
  const long = "x".repeat(500);
  const s = shortenLine(long);
  assert.ok(s.length <= MAX_LINE && s.includes(" … "), s);
  assert.equal(shortenLine("short"), "short");
});

Deno.test("colour only when asked: green additions, red removals, none otherwise", () => {
  const diff = "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n";
  assert.ok(displayDiff(diff, true).includes(`${ESC}[32m+new${ESC}[0m`));
  assert.ok(displayDiff(diff, true).includes(`${ESC}[31m-old${ESC}[0m`));
  assert.ok(!displayDiff(diff, false).includes(ESC));
});

Deno.test("install --dry-run starts with a summary, has no colour when piped, and --json keeps full commands", async () => {
  const h = await makeHome();
  try {
    await Deno.writeTextFile(join(h.codex, "config.toml"), 'model = "o3"\n');
    const r = await installer(["install", ...h.args, "--dry-run"], { NO_COLOR: "" });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(
      lines[0]!,
      /^Would install lifeline for Codex 0\.169\.0: 14 hook handlers, 2 file\(s\) changed$/,
    );
    assert.match(lines[1]!, /hooks\.json: \+\d+ -0 lines$/);
    assert.match(lines[2]!, /config\.toml: \+\d+ -0 lines$/);
    assert.ok(!r.stdout.includes(ESC), "piped: no colour");
    assert.match(r.stdout, /"command": "LIFELINE_FAILURE_HINT_THRESHOLD=\S+ deno run … hooks\/stop\.ts …"/);
    const diffLines = lines.filter((l) => /^[-+ @]/.test(l));
    assert.ok(diffLines.every((l) => l.length <= MAX_LINE), "every diff line is short");
    const json = await installer(["install", ...h.args, "--dry-run", "--json"]);
    assert.match(
      JSON.parse(json.stdout).files[0].diff,
      /deno run --no-prompt --no-config \S.* \S+\/hooks\/stop\.ts --state-dir=/,
    );
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});
