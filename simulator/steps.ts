/**
 * The scenario steps: each turns into fake Codex actions, a raw hook
 * delivery, or an action on the hub (dropping a sidecar's socket, killing a
 * sidecar, posting a message). `expect` steps are checked by the runner.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import type { HookEventName } from "../codex/events.ts";
import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import { heartbeatPath } from "../hub/sidecar_files.ts";
import type { Hub } from "../hub/server.ts";
import type { FakeCodex } from "./fake_codex.ts";
import type { Step } from "./scenario.ts";
import { copyRecordedTranscript } from "./transcript.ts";
import { performTui } from "./tui_steps.ts";
import { type AppServerContext, performAppServer, postMessage } from "./app_server_steps.ts";

/** Where a step runs. */
export interface StepContext {
  engine: FakeCodex;
  /** The scenario file, for paths relative to it. */
  file: string;
  hub: Hub | undefined;
  stateDir: string;
  /** The stand-in app-server daemon (a header with `"app_server": true`). */
  app?: AppServerContext | undefined;
}

/** A step in a few words, for the timeline. */
export function describe(step: Step): string {
  switch (step.step) {
    case "advance":
      return `advance ${step.seconds}s`;
    case "raw":
      return `raw ${step.event}`;
    case "daemon":
      return `daemon ${step.action}`;
    case "app_server":
      return "notify" in step
        ? `app-server ${step.notify.method}`
        : `app-server answers ${step.answer.method}`;
    case "expect_message":
      return `expect message ${step.message}`;
    case "prompt":
    case "assistant":
      return `${step.session}: ${step.step} "${
        step.text.length > 30 ? step.text.slice(0, 29) + "…" : step.text
      }"`;
    case "tool":
      return `${step.session}: tool ${step.name}${
        step.command ? ` "${step.command}"` : ""
      } → exit ${step.exit_code}`;
    case "expect":
      return `${step.session}: expect ${Object.keys(step.expect).join(", ")}`;
    default:
      return "session" in step ? `${step.session}: ${step.step}` : step.step;
  }
}

/** How the hub reaches a session, as `/sessions` says: the app-server, its sidecar, or not at all. */
export function transportOf(hub: Hub, sessionId: string): "connected" | "disconnected" | "app-server" {
  if (hub.appServer?.has(sessionId)) return "app-server";
  return hub.connected().includes(sessionId) ? "connected" : "disconnected";
}

/**
 * Polls `cond` until it holds or `ms` pass. Sidecars are separate processes
 * that tell nobody when they connect; the hub's connection list is the only
 * signal, so it is polled.
 */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

const HUB_STEPS = new Set(["drop", "reconnect", "kill_sidecar", "message"]);

/** Performs one step; throws with the reason when it cannot. */
export async function perform(c: StepContext, step: Step): Promise<void> {
  const { engine } = c;
  if (HUB_STEPS.has(step.step) && !c.hub) {
    throw new Error(`step "${step.step}" needs a hub: add "hub": true to the header`);
  }
  if (await performTui(engine, step)) return;
  if (await performAppServer(c.app, step)) return;
  const hub = c.hub!;
  const sid = "session" in step ? engine.sessions.get(step.session)?.id ?? step.session : "";
  switch (step.step) {
    case "start":
      engine.start(step.session, step.cwd, step.model);
      return;
    case "prompt":
      return engine.prompt(step.session, step.text);
    case "tool":
      return engine.tool(step.session, step);
    case "assistant":
      return engine.assistant(step.session, step.text);
    case "interrupt":
      return engine.interrupt(step.session);
    case "compact":
      return engine.compact(step.session, step.trigger);
    case "clear":
      engine.clear(step.session);
      return;
    case "resume":
      engine.resume(step.session);
      return;
    case "exit":
      return engine.exit(step.session);
    case "kill":
      engine.kill(step.session);
      return;
    case "advance":
      engine.o.clock.advance(step.seconds * 1000);
      return;
    case "raw":
      return raw(c, step);
    case "expect":
      return;
    case "drop":
      if (!hub.drop(sid)) {
        throw new Error(`cannot drop session "${step.session}": its sidecar is not connected`);
      }
      await waitFor(() => !hub.connected().includes(sid), 5000);
      return;
    case "reconnect":
      if (!await waitFor(() => hub.connected().includes(sid), 15_000)) {
        throw new Error(`the sidecar of session "${step.session}" did not reconnect within 15 s`);
      }
      return;
    case "kill_sidecar": {
      const hb = heartbeatPath(c.stateDir, sid);
      const pid = Number(Deno.readTextFileSync(hb));
      if (!Number.isInteger(pid) || pid <= 0) {
        throw new Error(`session "${step.session}" has no running sidecar`);
      }
      Deno.kill(pid, "SIGKILL");
      // A killed sidecar leaves its heartbeat behind; let it age as it would (no beat for a minute).
      const old = new Date(Date.now() - 60_000);
      Deno.utimeSync(hb, old, old);
      await waitFor(() => !hub.connected().includes(sid), 5000);
      return;
    }
    case "message":
      return postMessage(hub, c.app?.sim, sid, step);
  }
}

/** A recorded hook delivery (or notify call), replayed as it was, with its Codex pid's stand-in. */
async function raw(c: StepContext, step: Extract<Step, { step: "raw" }>): Promise<void> {
  const { engine } = c;
  const pid = step.pid === undefined ? undefined : engine.standInFor(step.pid);
  if (step.event === "notify") {
    if (engine.o.discovery.notify) {
      engine.spawnNotify(engine.o.discovery.notify, JSON.stringify(step.payload), pid);
    }
    return;
  }
  const payload = { ...step.payload };
  if (step.transcript) {
    // A recorded transcript travels with the scenario: copy it where Codex keeps them.
    const src = isAbsolute(step.transcript)
      ? step.transcript
      : join(dirname(isAbsolute(c.file) ? c.file : join(LIFELINE_ROOT, c.file)), step.transcript);
    payload.transcript_path = await copyRecordedTranscript(src, engine.o.codexHome);
  }
  const label = typeof payload.session_id === "string" ? payload.session_id : "raw";
  await engine.fire(step.event as HookEventName, payload, label, pid);
}
