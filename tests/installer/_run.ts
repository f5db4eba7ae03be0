/** Runs the installer as a user does, in a subprocess; and a throwaway home for it. */
import { join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `deno run -A installer/mod.ts …` with `NO_COLOR`. */
export async function installer(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return await run(Deno.execPath(), ["run", "-A", join(LIFELINE_ROOT, "installer/mod.ts"), ...args], env);
}

/** Runs a program and collects its output. */
export async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<Ran> {
  const out = await new Deno.Command(cmd, {
    args,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(cwd ? { cwd } : {}),
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** A temporary home: Codex's home, a state dir and a bin dir under one folder (`name` may be hostile). */
export interface Home {
  dir: string;
  codex: string;
  state: string;
  bin: string;
  args: string[];
}

export async function makeHome(name = "state"): Promise<Home> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-app-" });
  const codex = join(dir, ".codex");
  await Deno.mkdir(codex);
  const state = join(dir, name);
  const bin = join(dir, "bin");
  return {
    dir,
    codex,
    state,
    bin,
    args: ["--codex-home", codex, "--state-dir", state, "--bin-dir", bin, "--codex-version", "0.169.0"],
  };
}

export const exists = (p: string) => {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** Copies the files install needs (tracked by git) from this checkout to `dest`. */
export async function copyRepo(dest: string): Promise<void> {
  const ls = await run("git", ["ls-files"], {}, LIFELINE_ROOT);
  if (ls.code !== 0) throw new Error(`git ls-files failed: ${ls.stderr}`);
  const wanted = /^(deno\.json|deno\.lock|(codex|lifecycle|hooks|hub|installer|simulator|cli)\/.*\.ts)$/;
  for (const f of ls.stdout.split("\n").filter((f) => wanted.test(f))) {
    await Deno.mkdir(join(dest, f, ".."), { recursive: true });
    await Deno.copyFile(join(LIFELINE_ROOT, f), join(dest, f));
  }
}
