/**
 * Performing the app-server steps: the stand-in daemon (`daemon`,
 * `app_server`), the hub that attaches to it (`hub_start`), and the message
 * API (`message`, `expect_message`). Each step waits on an event where
 * there is one: the bridge's `ready()` after a (re)connect, a barrier
 * (`daemon_model.ts`) after a notification; only a link going down is
 * polled, since nothing announces it.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import type { JsonObject } from "../codex/json.ts";
import { SYSTEM_CLOCK } from "../hub/app_server/bridge.ts";
import type { Hub, HubOptions } from "../hub/server.ts";
import { type FakeAppServer, startFakeAppServer } from "./fake_app_server.ts";
import {
  type AppServerStep,
  isAppServerStep,
  type MessageExpectation,
  type MessageExtras,
} from "./app_server_scenarios.ts";

/** The bridge's waits (reconnect backoff, unsubscribe grace) run this many times faster than real ones. */
export const BRIDGE_SPEEDUP = 10;
const WAIT_MS = 10_000;

/** The stand-in daemon of one run and what the steps share. */
export interface AppServerSim {
  fake: FakeAppServer;
  socketPath: string;
  /** Message labels (`as`) → message ids. */
  messages: Map<string, string>;
  close(): Promise<void>;
}

/** Where the app-server steps run. */
export interface AppServerContext {
  sim: AppServerSim;
  hub(): Hub | undefined;
  startHub(): Hub;
}

/**
 * Creates the stand-in daemon, not yet listening (a `daemon` step starts it), at
 * `$CODEX_HOME/app-server-control/app-server-control.sock`, or in a short temporary folder when
 * that path is too long for a Unix socket.
 */
export async function createAppServerSim(codexHome: string, now: () => number): Promise<AppServerSim> {
  const inHome = join(codexHome, "app-server-control", "app-server-control.sock");
  let socketPath = inHome;
  let own: string | undefined;
  if (new TextEncoder().encode(inHome).length > 100) {
    own = await Deno.makeTempDir({ prefix: "ll-as-" });
    socketPath = join(own, "s.sock");
  } else {
    await Deno.mkdir(join(codexHome, "app-server-control"), { recursive: true });
  }
  const fake = startFakeAppServer(socketPath, {
    paused: true,
    now,
    codexHome,
    userAgent: "lifeline-simulator/0.169.0 (app-server stand-in)",
  });
  return {
    fake,
    socketPath,
    messages: new Map(),
    async close() {
      await fake.close();
      if (own) await Deno.remove(own, { recursive: true }).catch(() => {});
    },
  };
}

/** The hub options that attach it to the stand-in daemon, on the scenario's clock. */
export function hubAppServerOptions(sim: AppServerSim, now: () => Date): Partial<HubOptions> {
  return {
    now,
    appServer: {
      socketPath: sim.socketPath,
      bridge: {
        pollMs: 20,
        clock: {
          now: () => now().getTime(),
          sleep: (ms, signal) => SYSTEM_CLOCK.sleep(ms / BRIDGE_SPEEDUP, signal),
        },
      },
    },
  };
}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${WAIT_MS / 1000} s`)), WAIT_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > WAIT_MS) throw new Error(`${what} did not happen within ${WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the hub's bridge is linked to the daemon and has reconciled. */
async function linked(c: AppServerContext): Promise<void> {
  const link = c.hub()?.appServer;
  if (!link || !c.sim.fake.listening) return;
  await within(link.ready(), "the hub's link to the app-server daemon");
  await within(c.sim.fake.barrier(), "the bridge's reconcile");
}

/** Performs `step` when it is an app-server step; returns whether it was. */
export async function performAppServer(
  c: AppServerContext | undefined,
  step: { step: string },
): Promise<boolean> {
  if (!isAppServerStep(step)) return false;
  const s = step;
  if (!c) {
    throw new Error(`step "${s.step}" needs the app-server: add "app_server": true to the header`);
  }
  switch (s.step) {
    case "hub_start":
      if (c!.hub()) throw new Error(`the hub already runs (a scenario starts it once)`);
      c!.startHub();
      await linked(c!);
      return true;
    case "daemon":
      await daemon(c!, s);
      return true;
    case "app_server": {
      const { fake } = c!.sim;
      if ("answer" in s) {
        const { method, ...answer } = s.answer;
        fake.model.script(method, answer);
        return true;
      }
      fake.notify(s.notify);
      // Wait until the bridge has handled it (a dropped link hears nothing: nothing to wait for).
      if (fake.open > 0 && c!.hub()?.appServer?.connected) {
        await within(fake.barrier(), `the bridge's handling of "${s.notify.method}"`);
      }
      return true;
    }
    case "expect_message":
      await expectMessage(c!, s.message, s.expect);
      return true;
  }
  return false;
}

async function daemon(c: AppServerContext, s: Extract<AppServerStep, { step: "daemon" }>): Promise<void> {
  const { fake } = c.sim;
  const link = c.hub()?.appServer;
  switch (s.action) {
    case "start":
    case "restore":
      if (s.action === "start") { for (const t of s.threads) fake.model.load(t); }
      if (fake.listening) {
        throw new Error(`the daemon already runs: "${s.action}" needs it stopped or dropped`);
      }
      fake.resume();
      await linked(c);
      return;
    case "drop":
    case "stop":
      await fake.pause();
      if (s.action === "stop") fake.model.reset();
      if (link) await until(() => !link.connected, "the hub noticing the lost link");
      return;
  }
}

async function api(hub: Hub, path: string, body?: unknown): Promise<{ status: number; body: JsonObject }> {
  const res = await fetch(`${hub.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: JsonObject;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text };
  }
  return { status: res.status, body: parsed };
}

/** The `message` step: posts a notify or an ask and checks the answer. */
export async function postMessage(
  hub: Hub,
  sim: AppServerSim | undefined,
  sessionId: string,
  step: { kind: string; text: string; expect_status?: number } & MessageExtras,
): Promise<void> {
  const res = await api(hub, `/sessions/${encodeURIComponent(sessionId)}/messages`, {
    kind: step.kind,
    text: step.text,
    ...(step.from !== undefined ? { from: step.from } : {}),
    ...(step.timeout_s !== undefined ? { timeout_s: step.timeout_s } : {}),
  });
  if (step.as !== undefined && typeof res.body.id === "string") sim?.messages.set(step.as, res.body.id);
  const got = JSON.stringify(res.body);
  if (step.expect_status !== undefined && res.status !== step.expect_status) {
    throw new Error(`expected HTTP ${step.expect_status} for the ${step.kind}, got ${res.status}: ${got}`);
  }
  for (const [k, want] of Object.entries(step.expect ?? {})) {
    const actual = k === "http" ? res.status : res.body[k];
    if (!isDeepStrictEqual(actual, want)) {
      throw new Error(
        `expected ${k} ${JSON.stringify(want)} for the ${step.kind}, got ${JSON.stringify(actual)}`,
      );
    }
  }
}

function mismatches(e: MessageExpectation, m: JsonObject): string[] {
  const out: string[] = [];
  for (const [k, want] of Object.entries(e)) {
    if (k === "reply_matches") {
      if (typeof m.reply !== "string" || !new RegExp(String(want)).test(m.reply)) {
        out.push(`reply ${JSON.stringify(m.reply)} does not match /${want}/`);
      }
    } else if (!isDeepStrictEqual(m[k] ?? null, want)) {
      out.push(`${k} is ${JSON.stringify(m[k] ?? null)}, expected ${JSON.stringify(want)}`);
    }
  }
  return out;
}

/**
 * `expect_message`: the message as `GET /messages/:id` shows it, read until it matches or 10 s
 * pass (the hub delivers queued messages and resolves answers in the background).
 */
async function expectMessage(c: AppServerContext, label: string, e: MessageExpectation) {
  const hub = c.hub();
  const id = c.sim.messages.get(label);
  if (!hub || !id) throw new Error(`no message "${label}": give a "message" step "as": "${label}" first`);
  const t0 = Date.now();
  for (;;) {
    const { body } = await api(hub, `/messages/${encodeURIComponent(id)}`);
    const wrong = mismatches(e, body);
    if (wrong.length === 0) return;
    if (Date.now() - t0 > WAIT_MS) throw new Error(`message "${label}": ${wrong.join("; ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
