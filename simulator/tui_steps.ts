/**
 * Performing steps in a TUI scenario: the process-model steps, and the
 * ordinary steps whose effect depends on the process model (a prompt fires
 * nothing once the daemon is dead, `advance` fires the SessionEnds that fall
 * due, `resume` stays in the daemon, a manual `compact` opens no turn).
 *
 * @module
 */

import type { FakeCodex } from "./fake_codex.ts";
import { tuiOf } from "./process_models.ts";
import type { Step } from "./scenario.ts";
import { isTuiStep } from "./tui_scenarios.ts";

/** Performs `step` when it is the TUI layer's; returns whether it did. */
export async function performTui(engine: FakeCodex, step: Step): Promise<boolean> {
  const m = tuiOf(engine);
  if (!m) {
    if (isTuiStep(step) && step.step !== "expect_all") {
      throw new Error(`step "${step.step}" is a TUI step: add "tui": true to the header`);
    }
    return step.step === "expect_all";
  }
  switch (step.step) {
    case "start":
      m.start(step.session, step.cwd, step.model);
      return true;
    case "prompt":
      await m.prompt(step.session, step.text);
      return true;
    case "assistant":
      await m.assistant(step.session, step.text);
      return true;
    case "advance":
      await m.advance(step.seconds * 1000);
      return true;
    case "resume":
      await m.resume(step.session);
      return true;
    case "compact":
      if (step.trigger !== "manual") return false;
      await m.compactManual(step.session);
      return true;
    case "quit":
      await m.quit(step.session);
      return true;
    case "kill_tui":
      m.killTui(step.session);
      return true;
    case "kill_daemon":
      m.killDaemon();
      return true;
    case "daemon_stop":
      await m.daemonStop();
      return true;
    case "new":
      m.fresh(step.session, step.as, "startup");
      return true;
    case "tui_clear":
      m.fresh(step.session, step.as, "clear");
      return true;
    case "expect_all":
      return true;
    default:
      return false;
  }
}
