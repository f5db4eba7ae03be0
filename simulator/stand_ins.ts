/**
 * Stand-in Codex processes: a hook reads its grandparent (or
 * `LIFELINE_CODEX_PID`) as the session's Codex process, and lifeline ends a
 * session whose process is gone. So each simulated Codex process is a real,
 * idle process whose pid can die on cue; the fake Codex answers "is this pid
 * alive?" from what it started and killed.
 *
 * @module
 */

function spawnSleeper(): Deno.ChildProcess {
  const child = new Deno.Command("sleep", {
    args: ["86400"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.status.catch(() => {});
  return child;
}

/** The stand-in processes of one run. */
export class StandIns {
  readonly #live = new Map<number, Deno.ChildProcess>();
  readonly #killed = new Set<number>();
  readonly #recorded = new Map<number, number>();

  /** Starts a stand-in; returns its pid. */
  spawn(): number {
    const child = spawnSleeper();
    this.#live.set(child.pid, child);
    return child.pid;
  }

  /** Kills a stand-in (as Codex exiting or being killed). */
  stop(pid: number): void {
    const child = this.#live.get(pid);
    if (!child) return;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    this.#live.delete(pid);
    this.#killed.add(pid);
  }

  /** Whether a pid belongs to a stand-in that is gone (`false`), alive (`true`), or unknown. */
  alive(pid: number): boolean | undefined {
    if (this.#killed.has(pid)) return false;
    if (this.#live.has(pid)) return true;
    return undefined;
  }

  /**
   * The stand-in for a Codex pid seen in a recording, so that replayed
   * deliveries keep their process identity (one stand-in per recorded pid).
   */
  forRecorded(recordedPid: number): number {
    let pid = this.#recorded.get(recordedPid);
    if (pid === undefined) {
      pid = this.spawn();
      this.#recorded.set(recordedPid, pid);
    }
    return pid;
  }

  /** Kills every stand-in still running and waits until each has been reaped. */
  async close(): Promise<void> {
    const children = [...this.#live.values()];
    for (const pid of [...this.#live.keys()]) this.stop(pid);
    this.#recorded.clear();
    await Promise.allSettled(children.map((c) => c.status));
  }
}
