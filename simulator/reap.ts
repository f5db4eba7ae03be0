/**
 * Finding and ending the processes a run caused but did not start itself:
 * hub sidecars are started detached by the hooks and outlive them, so the
 * simulator cannot hold their handles. Every one of them names the run's
 * temporary state dir in its argv (`--state-dir=<dir>/.lifeline`), which is
 * how they are found before that dir is removed.
 *
 * @module
 */

/** One process: its pid and its argv joined with spaces. */
interface ProcessEntry {
  pid: number;
  command: string;
}

function fromProc(): ProcessEntry[] | undefined {
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return undefined;
  }
  const out: ProcessEntry[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      // A zombie's cmdline is empty: it holds nothing and needs no signal.
      const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0").filter((a) => a !== "");
      if (argv.length > 0) out.push({ pid: Number(e.name), command: argv.join(" ") });
    } catch { /* it exited meanwhile */ }
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

/** The live processes (other than this one) whose argv mentions `path` (`/proc`, else `ps`). */
async function processesReferencing(path: string): Promise<ProcessEntry[]> {
  const all = fromProc() ?? await fromPs();
  return all.filter((p) => p.pid !== Deno.pid && p.command.includes(path));
}

/**
 * Kills every process whose argv mentions `path`, and waits (up to `ms`)
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
