/**
 * Finding and ending the processes a run caused but did not start itself:
 * hub sidecars are started detached by the hooks and outlive them, and a hook
 * may leave other children behind, so the simulator cannot hold their
 * handles. A sidecar names the run's temporary state dir in its argv
 * (`--state-dir=<dir>/.lifeline`); every descendant of a hook also inherits a
 * cwd in the run's workspace and `HOME=<dir>` unless it changed them. A
 * process that shows any of these is the run's, and is ended before the dir
 * is removed (the dir's name is fresh, so no one else's process matches).
 *
 * @module
 */

/** One process: its pid and its argv joined with spaces. */
interface ProcessEntry {
  pid: number;
  command: string;
}

function readOr(read: () => string): string {
  try {
    return read();
  } catch {
    return ""; // gone meanwhile, or not ours to read
  }
}

/** From `/proc`: processes whose argv, cwd or environment mentions `path`; undefined without `/proc`. */
function fromProc(path: string): ProcessEntry[] | undefined {
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return undefined;
  }
  // `path` ends with "/"; a value mentions it when it is the dir itself or lies inside it.
  const mentions = (v: string) => (v + "/").includes(path);
  const out: ProcessEntry[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e.name)) continue;
    const read = (f: string) => readOr(() => Deno.readTextFileSync(`/proc/${e.name}/${f}`)).split("\0");
    // A zombie's cmdline is empty: it holds nothing and needs no signal.
    const argv = read("cmdline").filter((a) => a !== "");
    if (argv.length === 0) continue;
    if (
      argv.some(mentions) || mentions(readOr(() => Deno.readLinkSync(`/proc/${e.name}/cwd`))) ||
      read("environ").some(mentions)
    ) out.push({ pid: Number(e.name), command: argv.join(" ") });
  }
  return out;
}

async function fromPs(): Promise<ProcessEntry[]> {
  const out = await new Deno.Command("ps", { args: ["-axo", "pid=,args="], stdout: "piped", stderr: "null" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").flatMap((l) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(l);
    return m ? [{ pid: Number(m[1]), command: m[2]! }] : [];
  });
}

/**
 * The live processes (other than this one) that mention `path`, a directory
 * ending in "/" (from `/proc`; else their argv, from `ps`).
 */
async function processesReferencing(path: string): Promise<ProcessEntry[]> {
  const all = fromProc(path) ?? (await fromPs()).filter((p) => p.command.includes(path));
  return all.filter((p) => p.pid !== Deno.pid);
}

/**
 * Kills every process that mentions `path` (see above), and waits (up to `ms`)
 * until none is left; returns the pids it killed. A process that appears
 * meanwhile (a sidecar a last hook had just spawned) is killed in the next round.
 */
export async function killProcessesReferencing(path: string, ms = 5000): Promise<number[]> {
  const killed = new Set<number>();
  const until = Date.now() + ms;
  for (;;) {
    const left = await processesReferencing(path);
    if (left.length === 0 || Date.now() > until) break;
    for (const p of left) {
      try {
        Deno.kill(p.pid, "SIGKILL");
        killed.add(p.pid);
      } catch { /* gone already */ }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return [...killed];
}
