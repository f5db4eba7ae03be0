/**
 * Installs any release of the real Codex CLI (`@openai/codex@<version>`) into
 * `.cache/codex-<version>` once and returns its native binary. The same lock
 * file as the oracle in `codex_cli.ts` serialises installs across test
 * processes, so parallel tests never run two npm installs into one folder.
 *
 * Run directly to install: `deno run -A tests/harness/codex_install.ts 0.171.0`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where `version` is (or will be) installed. */
export function codexCacheDir(version: string): string {
  return join(ROOT, ".cache", `codex-${version}`);
}

/**
 * The native binary inside an npm install: running it directly (rather than
 * the Node wrapper in `.bin`) keeps the process tree the same as a native
 * install.
 */
async function nativeBinary(dir: string): Promise<string | undefined> {
  const base = join(dir, "node_modules", "@openai");
  try {
    for await (const pkg of Deno.readDir(base)) {
      if (!pkg.name.startsWith("codex-")) continue;
      for await (const triple of Deno.readDir(join(base, pkg.name, "vendor"))) {
        const bin = join(base, pkg.name, "vendor", triple.name, "bin", "codex");
        if ((await Deno.stat(bin).catch(() => undefined))?.isFile) return bin;
      }
    }
  } catch { /* not there: fall back to the wrapper */ }
  return undefined;
}

async function installed(dir: string): Promise<string | undefined> {
  const wrapper = join(dir, "node_modules", ".bin", "codex");
  if (!(await Deno.stat(wrapper).catch(() => undefined))) return undefined;
  return (await nativeBinary(dir)) ?? wrapper;
}

const installing = new Map<string, Promise<string>>();

/**
 * The path of the `codex` binary of `version`, installing it with npm on first
 * use (about 400 MB; needs the npm registry). Safe to call from parallel tests.
 */
export function ensureCodexVersion(version: string): Promise<string> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    return Promise.reject(new Error(`Cannot install Codex: version "${version}" is not x.y.z`));
  }
  const known = installing.get(version);
  if (known) return known;
  const dir = codexCacheDir(version);
  const job = (async () => {
    const ready = await installed(dir);
    if (ready) return ready;
    const lock = join(ROOT, ".cache", "codex-install.lock");
    await Deno.mkdir(join(ROOT, ".cache"), { recursive: true });
    for (let i = 0;; i++) {
      try {
        await Deno.writeTextFile(lock, String(Deno.pid), { createNew: true });
        break;
      } catch {
        const done = await installed(dir);
        if (done) return done;
        if (i > 1200) throw new Error(`Cannot install Codex: lock "${lock}" held for 10 minutes`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    try {
      const again = await installed(dir);
      if (again) return again;
      const out = await new Deno.Command("npm", {
        args: ["install", "--no-audit", "--no-fund", "--prefix", dir, `@openai/codex@${version}`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        throw new Error(`Cannot install @openai/codex@${version}: ${new TextDecoder().decode(out.stderr)}`);
      }
      const bin = await installed(dir);
      if (!bin) throw new Error(`Cannot install @openai/codex@${version}: no binary in "${dir}"`);
      return bin;
    } finally {
      await Deno.remove(lock).catch(() => {});
    }
  })();
  installing.set(version, job);
  return job;
}

if (import.meta.main) {
  for (const v of Deno.args) {
    // deno-lint-ignore no-console
    console.log(await ensureCodexVersion(v));
  }
}
