/**
 * The scripted TUI sessions recorded into `tests/testdata/recorded/tui/`.
 *
 * @module
 */

import { type MockReply, say, shell } from "./mock_responses.ts";
import type { TuiRig } from "./tui.ts";

/** One scripted TUI session. */
export interface TuiCase {
  name: string;
  replies: MockReply[];
  /** What title requests get, when not a valid title. */
  titleText?: string;
  /** Only meaningful with the daemon (e.g. killing it). */
  daemonOnly?: boolean;
  run(rig: TuiRig): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for `n` hooks of `event` but does not fail when they never come: the
 * recording then shows their absence, with a `wait_timeout` marker.
 */
async function soft(rig: TuiRig, event: string, n: number, timeoutMs: number): Promise<boolean> {
  try {
    await rig.waitForEvent(event, n, timeoutMs);
    return true;
  } catch {
    rig.mark("action", { action: "wait_timeout", event, n, timeoutMs });
    return false;
  }
}

/** Waits for notifies softly (title notifies may or may not come). */
async function softNotifies(rig: TuiRig, n: number, timeoutMs: number): Promise<void> {
  try {
    await rig.waitForNotifies(n, timeoutMs);
  } catch {
    rig.mark("action", { action: "wait_timeout", event: "notify", n, timeoutMs });
  }
}

/** Submits a prompt and waits for its Stop (the `n`-th Stop of the rig). */
async function prompt(rig: TuiRig, tui: string, text: string, stopN: number): Promise<void> {
  await rig.submit(tui, text);
  await rig.waitForEvent("Stop", stopN, 90_000);
}

/** How long to wait for the SessionEnd that the daemon sends about 60 s after a detach. */
const detachWait = (rig: TuiRig) => rig.opts.daemon ? 150_000 : 20_000;

/** `codex app-server daemon stop`, as an action of the recording. */
async function daemonStop(rig: TuiRig): Promise<void> {
  rig.mark("action", { action: "daemon_stop" });
  const out = await new Deno.Command(rig.bin, {
    args: ["app-server", "daemon", "stop"],
    env: rig.env,
    stdout: "piped",
    stderr: "null",
  }).output();
  rig.mark("action", { action: "daemon_stopped", code: out.code });
}

/** A slash command that may open a menu first (`/new` shows one in some setups): take its default. */
async function commandThroughMenu(rig: TuiRig, tui: string, cmd: string): Promise<void> {
  await rig.command(tui, cmd);
  await sleep(1500);
  const screen = await rig.screen(tui);
  if (/worktree/i.test(screen) && /enter to (select|confirm)|↑\/↓|press enter/i.test(screen)) {
    rig.mark("action", { action: "menu", screen: screen.split("\n").filter((l) => l.trim()).slice(-12) });
    await rig.keys(tui, "Enter");
  }
}

/** The session id of the first SessionStart recorded. */
async function firstSessionId(rig: TuiRig): Promise<string> {
  const start = (await rig.hooks()).find((l) => l.payload.hook_event_name === "SessionStart");
  if (typeof start?.payload.session_id !== "string") {
    throw new Error("No SessionStart with a session_id recorded");
  }
  return start.payload.session_id;
}

/** Every case, in recording priority order. */
export const TUI_CASES: TuiCase[] = [
  {
    name: "launch_quit",
    replies: [],
    async run(rig) {
      await rig.launch("a");
      await rig.quit("a");
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "first_prompt",
    replies: [say("Hello from the mock.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "hello", 1);
      await softNotifies(rig, 2, 15_000);
      await daemonStop(rig);
      await soft(rig, "SessionEnd", 1, 10_000);
    },
  },
  {
    name: "quit",
    replies: [say("Hello from the mock.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "hello", 1);
      await softNotifies(rig, 2, 15_000);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "tool_call",
    replies: [shell("echo hi"), say("Ran it.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "run echo", 1);
      await softNotifies(rig, 2, 15_000);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "failing_tool",
    replies: [shell("exit 3"), say("It failed with 3.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "run exit 3", 1);
      await softNotifies(rig, 2, 15_000);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "esc_interrupt",
    replies: [{ items: [], hang: true }],
    async run(rig) {
      await rig.launch("a");
      await rig.submit("a", "stream slowly");
      await rig.mock.waitFor("turn", 1, 60_000);
      await rig.waitForScreen("a", /esc to interrupt|Working/i, 30_000).catch(() => "");
      await sleep(1000);
      await rig.keys("a", "Escape");
      await soft(rig, "Interrupt", 1, 20_000);
      await softNotifies(rig, 1, 5_000);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "compact",
    replies: [say("First answer."), say("Summary of the conversation."), say("Second answer.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "first", 1);
      await rig.command("a", "/compact");
      await soft(rig, "PostCompact", 1, 60_000);
      await sleep(1000);
      await prompt(rig, "a", "second", 2);
      await softNotifies(rig, 2, 10_000);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "clear",
    replies: [say("One."), say("Two.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await rig.command("a", "/clear");
      await sleep(1500);
      await prompt(rig, "a", "two", 2);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 2, detachWait(rig) + 10_000);
    },
  },
  {
    name: "new",
    replies: [say("One."), say("Two.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await commandThroughMenu(rig, "a", "/new");
      await rig.waitForScreen("a", /Ask Codex|for shortcuts/, 20_000);
      await sleep(1000);
      await prompt(rig, "a", "two", 2);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 2, detachWait(rig) + 10_000);
    },
  },
  {
    name: "kill_tui_mid_turn",
    replies: [{ items: [{ kind: "message", text: "Slow answer." }], delayMs: 8000 }],
    async run(rig) {
      await rig.launch("a");
      await rig.submit("a", "answer slowly");
      await rig.mock.waitFor("turn", 1, 60_000);
      await sleep(1000);
      await rig.killTui("a", "SIGKILL");
      await soft(rig, "Stop", 1, rig.opts.daemon ? 30_000 : 15_000);
      await soft(rig, "SessionEnd", 1, detachWait(rig));
    },
  },
  {
    name: "kill_daemon",
    daemonOnly: true,
    replies: [say("One."), say("Two.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await softNotifies(rig, 2, 10_000);
      await rig.killDaemon("SIGKILL");
      await soft(rig, "SessionEnd", 1, 10_000);
      await rig.markScreen("a", 8);
      rig.mark("process", { fact: "tui_alive_after_daemon_kill", alive: await tuiAlive(rig, "a") });
      if (await tuiAlive(rig, "a")) {
        await rig.submit("a", "two").catch((e) =>
          rig.mark("action", { action: "error", message: String(e) })
        );
        await soft(rig, "UserPromptSubmit", 2, 30_000);
        await rig.markScreen("a", 8);
      }
    },
  },
  {
    name: "resume_twice",
    replies: [say("One."), say("Two."), say("Three.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await rig.quit("a");
      const id = await firstSessionId(rig);
      rig.mark("process", { fact: "resumed_session_id", session_id: id });
      await rig.launch("b", ["resume", id]);
      await prompt(rig, "b", "two", 2);
      await rig.quit("b");
      await rig.launch("c", ["resume", id]);
      await prompt(rig, "c", "three", 3);
      const lastQuit = rig.now();
      await rig.quit("c");
      await rig.waitForHooks(
        "the SessionEnd after the last quit",
        (ls) => ls.some((l) => l.payload.hook_event_name === "SessionEnd" && l.t - rig.t0 > lastQuit),
        detachWait(rig),
      ).catch(() => rig.mark("action", { action: "wait_timeout", event: "SessionEnd after last quit" }));
    },
  },
  {
    name: "title_notifies",
    replies: [say("One."), say("Two.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await prompt(rig, "a", "two", 2);
      await softNotifies(rig, 4, 15_000);
      await daemonStop(rig);
      await soft(rig, "SessionEnd", 1, 10_000);
    },
  },
  {
    // The mock answers the title request with text that is no title: Codex asks again at the next prompt.
    name: "title_rejected",
    titleText: "not a JSON title",
    replies: [say("One."), say("Two.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await prompt(rig, "a", "two", 2);
      await softNotifies(rig, 4, 15_000);
      await daemonStop(rig);
      await soft(rig, "SessionEnd", 1, 10_000);
    },
  },
  {
    // A TUI without the daemon next to one in it, in one CODEX_HOME: Codex asks how to run it.
    name: "nodaemon_beside_daemon",
    daemonOnly: true,
    replies: [say("One."), say("Two.")],
    async run(rig) {
      await rig.launch("a");
      await prompt(rig, "a", "one", 1);
      await rig.launch("b", [], false);
      await prompt(rig, "b", "two", 2);
      await rig.quit("b");
      await soft(rig, "SessionEnd", 1, 20_000);
      await rig.quit("a");
      await soft(rig, "SessionEnd", 2, detachWait(rig));
    },
  },
];

async function tuiAlive(rig: TuiRig, name: string): Promise<boolean> {
  const pid = rig.tuiPids.get(name);
  return pid !== undefined && (await Deno.stat(`/proc/${pid}`).then(() => true, () => false));
}
