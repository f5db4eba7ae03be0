/**
 * The Codex process behind a hook, and whether it still lives.
 *
 * Codex runs each hook through a shell (`sh -c "<command>"`), so inside that
 * shell `$PPID` is the Codex process: the installer writes `--codex-pid=$PPID`
 * into every hook command. Deno only lets a program read `/proc/<pid>` with
 * `--allow-all`, so hooks never check liveness themselves; the readers
 * (`deno task status`, the hub, the simulator) do.
 *
 * @module
 */

/**
 * The Codex pid for a hook: `LIFELINE_CODEX_PID` (an explicit override, used
 * by the simulator), else `--codex-pid=N` (from `$PPID`), else the hook's parent.
 */
export function codexPid(args: readonly string[], override: string | undefined, ppid: number): number | null {
  const flag = args.find((a) => a.startsWith("--codex-pid="))?.slice("--codex-pid=".length);
  for (const v of [override, flag]) if (v && /^\d+$/.test(v) && v !== "0") return Number(v);
  return ppid > 1 ? ppid : null;
}

/** Reads a file, or `undefined` when it is absent or unreadable. */
export type ReadFile = (path: string) => string | undefined;

/** The real reader (needs `--allow-all` for `/proc/<pid>` under Deno). */
const readFileOrUndefined: ReadFile = (path) => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

/** Parses `/proc/<pid>/stat`: state letter, parent pid and start time in clock ticks since boot. */
function parseStat(stat: string): { state: string; ppid: number; startTicks: number } | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  const rest = stat.slice(close + 2).split(" ");
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (!Number.isInteger(ppid) || !Number.isFinite(startTicks)) return undefined;
  return { state: rest[0] ?? "?", ppid, startTicks };
}

/** Clock ticks per second on Linux (`getconf CLK_TCK`); 100 on every mainstream kernel. */
const CLK_TCK = 100;

/**
 * Whether process `pid` is the same live process that a session first
 * observed at `notAfter` (ISO): `false` when it is gone, a zombie, or started
 * after that moment (the pid was reused); `undefined` when this system cannot
 * tell (no /proc).
 */
export function processAlive(
  pid: number,
  notAfter: string,
  read: ReadFile = readFileOrUndefined,
): boolean | undefined {
  const procStat = read("/proc/stat");
  if (procStat === undefined) return undefined;
  const st = read(`/proc/${pid}/stat`);
  if (st === undefined) return false;
  const p = parseStat(st);
  if (!p) return undefined;
  if (p.state === "Z" || p.state === "X") return false;
  const btime = /^btime (\d+)$/m.exec(procStat);
  if (btime) {
    const startedMs = (Number(btime[1]) + p.startTicks / CLK_TCK) * 1000;
    // 2 s of slack for clock granularity: a process that started after the session was seen is another one.
    if (startedMs > Date.parse(notAfter) + 2000) return false;
  }
  return true;
}
