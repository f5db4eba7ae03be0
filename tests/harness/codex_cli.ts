/**
 * The real Codex CLI as a test oracle: installs `@openai/codex@0.169.0` from
 * npm into `.cache/` once, writes an offline `config.toml` pointing at the
 * mock Responses server, and runs `codex exec`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Codex version the oracle tests run. */
export const CODEX_VERSION = "0.169.0";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where the oracle is installed (override with `LIFELINE_CODEX_BIN`). */
export const CODEX_CACHE = join(ROOT, ".cache", `codex-${CODEX_VERSION}`);

let installing: Promise<string> | undefined;

/**
 * The native binary inside the npm install. `bin/codex` is a Node wrapper that,
 * on Node < 23.11, spawns the binary as a child; running the binary directly
 * makes the process tree the same as a native install (hooks see Codex as the
 * parent of their shell).
 */
async function nativeBinary(): Promise<string | undefined> {
  const base = join(CODEX_CACHE, "node_modules", "@openai");
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
 * The path of the `codex` binary, installing it with npm on first use
 * (about 400 MB; needs the npm registry). Safe to call from parallel tests.
 */
export function ensureCodex(): Promise<string> {
  const override = Deno.env.get("LIFELINE_CODEX_BIN");
  if (override) return Promise.resolve(override);
  installing ??= (async () => {
    const bin = join(CODEX_CACHE, "node_modules", ".bin", "codex");
    try {
      await Deno.stat(bin);
      return (await nativeBinary()) ?? bin;
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
          return (await nativeBinary()) ?? bin;
        } catch { /* still installing elsewhere */ }
        if (i > 1200) throw new Error(`Cannot install Codex: lock "${lock}" held for 10 minutes`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    try {
      const out = await new Deno.Command("npm", {
        args: [
          "install",
          "--no-audit",
          "--no-fund",
          "--prefix",
          CODEX_CACHE,
          `@openai/codex@${CODEX_VERSION}`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        throw new Error(
          `Cannot install @openai/codex@${CODEX_VERSION}: ${new TextDecoder().decode(out.stderr)}`,
        );
      }
      return (await nativeBinary()) ?? bin;
    } finally {
      await Deno.remove(lock).catch(() => {});
    }
  })();
  return installing;
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
  const bin = await ensureCodex();
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
