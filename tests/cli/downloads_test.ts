/**
 * Only what a command needs is downloaded. With deno.lock, `deno run` fetches
 * every package the lock names, the test-only ones (msw, fast-check) too, and
 * shows Deno's "Ignored build scripts" box for msw; the README's install
 * command and the deno tasks that run `lifeline` pass `--no-lock`, so Deno
 * fetches only what they import. Checked offline: against a Deno cache that
 * holds every package but msw and fast-check, with `--cached-only`, each
 * command must run (a command that wanted a test package fails, naming it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import meta from "../../deno.json" with { type: "json" };

const ROOT = new URL("../..", import.meta.url).pathname;
const TEST_ONLY = ["msw", "fast-check"];

/** The npm cache folder of the Deno running the tests. */
async function npmCache(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdin: "null" }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { npmCache: string };
  return join(info.npmCache, "registry.npmjs.org");
}

/** Hard-links (or copies, across file systems) a folder tree. */
function linkTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    const a = join(from, e.name), b = join(to, e.name);
    if (e.isDirectory) linkTree(a, b);
    else if (e.isFile) {
      try {
        Deno.linkSync(a, b);
      } catch {
        Deno.copyFileSync(a, b);
      }
    }
  }
}

/** A DENO_DIR whose npm cache is the tests' one without the test-only packages. */
async function cacheWithoutTestPackages(): Promise<string> {
  const src = await npmCache();
  const dir = await Deno.makeTempDir({ prefix: "lifeline-deno-dir-" });
  const dest = join(dir, "npm", "registry.npmjs.org");
  Deno.mkdirSync(dest, { recursive: true });
  for (const e of Deno.readDirSync(src)) {
    if (e.isDirectory && !TEST_ONLY.includes(e.name)) linkTree(join(src, e.name), join(dest, e.name));
  }
  for (const p of TEST_ONLY) assert.ok(!exists(join(dest, p)));
  return dir;
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Runs a shell command line from the checkout, with `deno` meaning the tests' Deno, offline. */
async function sh(line: string, denoDir: string) {
  const bin = await Deno.makeTempDir();
  // Every `deno run` of the line gets --cached-only: a package missing from the cache is an error,
  // not a fetch.
  await Deno.writeTextFile(
    join(bin, "deno"),
    `#!/bin/sh\nif [ "$1" = run ]; then shift; exec "${Deno.execPath()}" run --cached-only "$@"; fi\n` +
      `exec "${Deno.execPath()}" "$@"\n`,
    { mode: 0o755 },
  );
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", line],
      cwd: ROOT,
      env: { DENO_DIR: denoDir, PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`, NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

function assertNeedsNoTestPackage(r: { code: number; stderr: string }, what: string): void {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /msw|fast-check/, what);
  assert.doesNotMatch(r.stderr, /Warning|Ignored build scripts/, `${what}: no Deno warning box`);
}

Deno.test("the README's install command and the lifeline tasks fetch no test-only package", async (t) => {
  const denoDir = await cacheWithoutTestPackages();
  const home = await Deno.makeTempDir();
  try {
    await t.step("the check itself: with the lock, deno run wants msw and says so", async () => {
      const r = await sh("deno run -A installer/mod.ts --help", denoDir);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /msw|fast-check/, r.stderr);
    });
    await t.step("the README's install commands", async () => {
      const readme = await Deno.readTextFile(join(ROOT, "README.md"));
      const lines = [...readme.matchAll(/^(deno run [^#\n]*installer\/mod\.ts install[^#\n]*?)\s*(#.*)?$/gm)]
        .map((m) => m[1]!);
      assert.ok(lines.length >= 2, `the README's install commands: ${lines}`);
      for (const line of lines) {
        // A throwaway Codex home and state dir; --dry-run so that nothing is written, even when --yes.
        const r = await sh(
          `${line}${
            line.includes("--dry-run") ? "" : " --dry-run"
          } --codex-home "${home}/codex" --state-dir "${home}/state" --codex-version 0.169.0`,
          denoDir,
        );
        assertNeedsNoTestPackage(r, line);
        assert.match(r.stdout, /Would install/, line);
      }
    });
    await t.step("every deno task that runs the lifeline command", async () => {
      const tasks = meta.tasks as Record<string, string>;
      const names = Object.keys(tasks).filter((k) => tasks[k]!.includes("cli/mod.ts"));
      assert.deepEqual(names.sort(), ["flush", "hub", "lifeline", "simulate", "status"]);
      for (const name of names) {
        // --help: each subcommand's own, which parses (and so loads) the whole command.
        const r = await sh(`${tasks[name]} --help`, denoDir);
        assertNeedsNoTestPackage(r, `deno task ${name}`);
        assert.match(r.stdout, /Usage: lifeline/, name);
      }
      const st = await sh(`${tasks.lifeline} status --state-dir "${home}/state"`, denoDir);
      assertNeedsNoTestPackage(st, "lifeline status");
    });
  } finally {
    await Deno.remove(denoDir, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});
