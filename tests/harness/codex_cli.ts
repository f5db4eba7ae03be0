/**
 * The real Codex CLI as a test oracle: installs `@openai/codex@<version>`
 * (default 0.169.0) from npm into `.cache/codex-<version>` once, writes an
 * offline `config.toml` pointing at the mock Responses server, and runs
 * `codex exec`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Codex version the oracle tests run (when no version is given). */
export const CODEX_VERSION = "0.169.0";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where a Codex release is installed: `.cache/codex-<version>`. */
export function codexCache(version: string = CODEX_VERSION): string {
  return join(ROOT, ".cache", `codex-${version}`);
}

/** Where the default oracle is installed (override with `LIFELINE_CODEX_BIN`). */
export const CODEX_CACHE = codexCache(CODEX_VERSION);

const installing = new Map<string, Promise<string>>();

/**
 * The native binary inside the npm install. `bin/codex` is a Node wrapper that,
 * on Node < 23.11, spawns the binary as a child; running the binary directly
 * makes the process tree the same as a native install (hooks see Codex as the
 * parent of their shell).
 */
async function nativeBinary(cache: string): Promise<string | undefined> {
  const base = join(cache, "node_modules", "@openai");
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

/**
 * The path of the `codex` binary of `version` (default {@link CODEX_VERSION}),
 * installing `@openai/codex@<version>` with npm into `.cache/codex-<version>` on
 * first use (about 400 MB; needs the npm registry). Safe to call from parallel
 * tests. `LIFELINE_CODEX_BIN` overrides the default version only.
 */
export function ensureCodex(version: string = CODEX_VERSION): Promise<string> {
  const override = Deno.env.get("LIFELINE_CODEX_BIN");
  if (override && version === CODEX_VERSION) return Promise.resolve(override);
  const cache = codexCache(version);
  let p = installing.get(version);
  if (p) return p;
  p = (async () => {
    const bin = join(cache, "node_modules", ".bin", "codex");
    try {
      await Deno.stat(bin);
      return (await nativeBinary(cache)) ?? bin;
    } catch { /* not installed yet */ }
    const lock = join(ROOT, ".cache", "codex-install.lock");
    await Deno.mkdir(join(ROOT, ".cache"), { recursive: true });
    // Serialise installs across test processes with an exclusive lock file.
    for (let i = 0;; i++) {
      try {
        await Deno.writeTextFile(lock, String(Deno.pid), { createNew: true });
        break;
      } catch {
        try {
          await Deno.stat(bin);
          return (await nativeBinary(cache)) ?? bin;
        } catch { /* still installing elsewhere */ }
        if (i > 1200) throw new Error(`Cannot install Codex: lock "${lock}" held for 10 minutes`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    try {
      const out = await new Deno.Command("npm", {
        args: ["install", "--no-audit", "--no-fund", "--prefix", cache, `@openai/codex@${version}`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        throw new Error(`Cannot install @openai/codex@${version}: ${new TextDecoder().decode(out.stderr)}`);
      }
      return (await nativeBinary(cache)) ?? bin;
    } finally {
      await Deno.remove(lock).catch(() => {});
    }
  })();
  p.catch(() => installing.delete(version));
  installing.set(version, p);
  return p;
}

/** Removes the install of `version` from the cache (after a run that should not keep ~400 MB). */
export async function removeCodex(version: string): Promise<void> {
  installing.delete(version);
  await Deno.remove(codexCache(version), { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}

/** The version a `codex` binary reports (`codex --version` → `codex-cli 0.171.0`). */
export async function codexVersionOf(bin: string): Promise<string> {
  const out = await new Deno.Command(bin, { args: ["--version"], stdout: "piped", stderr: "null" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** Writes the offline `config.toml` (plus `extra` TOML after it) into `codexHome`. */
export async function writeOfflineConfig(codexHome: string, mockUrl: string, extra = ""): Promise<string> {
  await Deno.mkdir(codexHome, { recursive: true });
  const path = join(codexHome, "config.toml");
  const toml = `model = "mock-model"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "danger-full-access"
${extra.startsWith("notify") ? extra.split("\n")[0] + "\n" : ""}
[model_providers.mock]
name = "mock"
base_url = "${mockUrl}"
wire_api = "responses"
env_key = "MOCK_API_KEY"
${extra.startsWith("notify") ? extra.split("\n").slice(1).join("\n") : extra}
`;
  await Deno.writeTextFile(path, toml);
  return path;
}

/** Options for {@link runCodexExec}. */
export interface ExecOptions {
  codexHome: string;
  prompt: string;
  cwd: string;
  env?: Record<string, string>;
  /** Extra arguments before the prompt. */
  args?: string[];
  /** Send SIGINT once this promise resolves (e.g. when the mock saw a request). */
  interruptWhen?: Promise<unknown>;
  /** Kill after this long (default 90 s). */
  timeoutMs?: number;
  /** The Codex release to run (default {@link CODEX_VERSION}). */
  version?: string;
}

/** What `codex exec` did. */
export interface ExecResult {
  /** The `codex` process id. */
  pid: number;
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `codex exec --skip-git-repo-check --json <prompt>` with stdin closed. */
export async function runCodexExec(opts: ExecOptions): Promise<ExecResult> {
  const bin = await ensureCodex(opts.version);
  const child = new Deno.Command(bin, {
    args: ["exec", "--skip-git-repo-check", "--json", ...(opts.args ?? []), opts.prompt],
    cwd: opts.cwd,
    env: { CODEX_HOME: opts.codexHome, MOCK_API_KEY: "x", RUST_LOG: "warn", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs ?? 90_000);
  opts.interruptWhen?.then(() => {
    try {
      child.kill("SIGINT");
    } catch { /* already gone */ }
  });
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return {
      pid: child.pid,
      code: out.code,
      signal: out.signal,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}
