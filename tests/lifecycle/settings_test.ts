import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { DEFAULT_STALE_BUSY_SECONDS, envNamesFor, readSettings, SETTINGS } from "../../lifecycle/settings.ts";
import { HOOK_ENV_VARS } from "../../hooks/permissions.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const env = (o: Record<string, string>) => (k: string) => o[k];

Deno.test("settings: defaults derive from HOME; junk falls back to the default", () => {
  const s = readSettings(env({ HOME: "/h", LIFELINE_STALE_BUSY_SECONDS: "soon", LIFELINE_HUB_PORT: "-1" }));
  assert.equal(s.stateDir, "/h/.lifeline");
  assert.equal(s.codexHome, "/h/.codex");
  assert.equal(s.staleBusySeconds, DEFAULT_STALE_BUSY_SECONDS);
  assert.equal(s.hubPort, 7571);
  assert.equal(s.sidecar, "on");
  assert.equal(s.textMode, "scrubbed");
  assert.equal(s.forward, undefined);
});

Deno.test("settings: explicit values win, blank ones do not", () => {
  const s = readSettings(env({
    HOME: "/h",
    LIFELINE_STATE_DIR: "/s",
    CODEX_HOME: "",
    LIFELINE_STALE_BUSY_SECONDS: "60",
    LIFELINE_SIDECAR: "off",
    LIFELINE_TEXT: "none",
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/",
    HOSTNAME: "box",
  }));
  assert.equal(s.stateDir, "/s");
  assert.equal(s.codexHome, "/h/.codex");
  assert.equal(s.staleBusySeconds, 60);
  assert.equal(s.sidecar, "off");
  assert.equal(s.textMode, "none");
  assert.equal(s.forward?.otlp?.endpoint, "http://127.0.0.1:4318");
  assert.equal(s.forward?.hostname, "box");
});

Deno.test("settings: the hooks' --allow-env list is the table's hook variables", () => {
  assert.deepEqual([...HOOK_ENV_VARS], envNamesFor("hooks"));
  assert.ok(HOOK_ENV_VARS.includes("LIFELINE_STATE_DIR"));
  assert.ok(!HOOK_ENV_VARS.includes("LIFELINE_HUB_PORT"), "only what hooks read");
});

/** Every file under the source folders, as [path, text]. */
function sources(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(join(ROOT, dir))) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory) walk(rel);
      else if (e.name.endsWith(".ts")) out.push([rel, Deno.readTextFileSync(join(ROOT, rel))]);
    }
  };
  for (const d of ["codex", "lifecycle", "hub", "hooks", "installer", "simulator", "cli"]) {
    try {
      walk(d);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out;
}

Deno.test("settings: every variable the code reads is in the table", () => {
  // PATH is handed through to child processes unchanged: it is not one of lifeline's settings. NO_COLOR
  // and TERM are the terminal's conventions, which the lifeline command honours like any other command.
  const known = new Set([...SETTINGS.map((s) => s.name), "PATH", "NO_COLOR", "TERM"]);
  const read = /(?:Deno\.env\.get|\benv)\(\s*"([A-Z][A-Z0-9_]*)"\s*\)/g;
  const unknown: string[] = [];
  for (const [file, text] of sources()) {
    for (const m of text.matchAll(read)) if (!known.has(m[1]!)) unknown.push(`${file}: ${m[1]}`);
  }
  assert.deepEqual(unknown, [], "read but not in lifecycle/settings.ts");
});

Deno.test("settings: the README's environment table lists exactly the table", () => {
  const readme = Deno.readTextFileSync(join(ROOT, "README.md"));
  const section = readme.split(/^## Environment$/m)[1]?.split(/^## /m)[0] ?? "";
  assert.ok(section.length > 0, "README has an Environment section");
  const listed = new Set(
    [...section.matchAll(/`((?:LIFELINE|OTEL|CODEX)_[A-Z0-9_]+|HOME|HOSTNAME)`/g)].map((m) => m[1]!),
  );
  const expected = new Set(SETTINGS.map((s) => s.name).filter((n) => n !== "HOME"));
  const missing = [...expected].filter((n) => !listed.has(n));
  const extra = [...listed].filter((n) => n !== "HOME" && !expected.has(n));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
});
