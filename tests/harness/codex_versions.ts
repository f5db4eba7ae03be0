/**
 * Installs any published `@openai/codex@<version>` into `.cache/codex-<version>`
 * (the same npm install and the same lock file as the single-version oracle in
 * `codex_cli.ts`) and returns the native binary inside it.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The TUI versions the harness is known to drive. */
export const TUI_VERSIONS = ["0.169.0", "0.171.0"] as const;

/** Where a version is installed. */
export function codexCache(version: string): string {
  return join(ROOT, ".cache", `codex-${version}`);
}

/**
 * The native binary of an install. `bin/codex` is a Node wrapper that may
 * spawn the binary as a child; running the binary itself keeps the process
 * tree the same as a native install.
 */
export async function nativeBinaryOf(cache: string): Promise<string | undefined> {
  const base = join(cache, "node_modules", "@openai");
  try {
    for await (const pkg of Deno.readDir(base)) {
      if (!pkg.name.startsWith("codex-")) continue;
      for await (const triple of Deno.readDir(join(base, pkg.name, "vendor"))) {
        const bin = join(base, pkg.name, "vendor", triple.name, "bin", "codex");
        if ((await Deno.stat(bin).catch(() => undefined))?.isFile) return bin;
      }
    }
  } catch { /* not there */ }
  return undefined;
}

async function installed(version: string): Promise<string | undefined> {
  const cache = codexCache(version);
  const wrapper = join(cache, "node_modules", ".bin", "codex");
  if (!(await Deno.stat(wrapper).catch(() => undefined))) return undefined;
  return (await nativeBinaryOf(cache)) ?? wrapper;
}

const installing = new Map<string, Promise<string>>();

/**
 * The `codex` binary of `version`, installed with npm on first use (about
 * 400 MB). Installs are serialised across processes by an exclusive lock file.
 */
export function ensureCodexVersion(version: string): Promise<string> {
  let p = installing.get(version);
  if (!p) {
    p = install(version);
    installing.set(version, p);
  }
  return p;
}

async function install(version: string): Promise<string> {
  const ready = await installed(version);
  if (ready) return ready;
  const lock = join(ROOT, ".cache", "codex-install.lock");
  await Deno.mkdir(join(ROOT, ".cache"), { recursive: true });
  for (let i = 0;; i++) {
    try {
      await Deno.writeTextFile(lock, String(Deno.pid), { createNew: true });
      break;
    } catch {
      const now = await installed(version);
      if (now) return now;
      if (i > 1200) throw new Error(`Cannot install Codex ${version}: lock "${lock}" held for 10 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const now = await installed(version);
    if (now) return now;
    const out = await new Deno.Command("npm", {
      args: [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        codexCache(version),
        `@openai/codex@${version}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`Cannot install @openai/codex@${version}: ${new TextDecoder().decode(out.stderr)}`);
    }
    const bin = await installed(version);
    if (!bin) {
      throw new Error(
        `npm installed @openai/codex@${version} but no codex binary is in "${codexCache(version)}"`,
      );
    }
    return bin;
  } finally {
    await Deno.remove(lock).catch(() => {});
  }
}

if (import.meta.main) {
  for (const v of Deno.args.length ? Deno.args : TUI_VERSIONS) {
    // deno-lint-ignore no-console
    console.log(await ensureCodexVersion(v));
  }
}
