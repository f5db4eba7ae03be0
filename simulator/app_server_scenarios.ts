/**
 * The scenario format's app-server part: Codex's app-server daemon as a
 * second source next to the hooks. A header with `"app_server": true` runs a
 * stand-in daemon (`fake_app_server.ts`) and the real hub attached to it;
 * the steps below drive the daemon, the hub and its message API. The
 * reference is in `simulator/scenarios/README.md`.
 *
 * ```jsonl
 * {"lifeline_scenario": 1, "name": "notify_idle", "app_server": true}
 * {"step": "daemon", "action": "start"}
 * {"step": "app_server", "notify": {"method": "thread/started", "params": {"thread": {"id": "t1"}}}}
 * {"step": "expect", "session": "t1", "turn_state": "pending_first_turn", "sources": ["app-server"]}
 * {"step": "message", "session": "t1", "kind": "notify", "text": "hi", "expect": {"via": "app-server"}}
 * ```
 *
 * @module
 */

import { isObject, type JsonObject, typeName } from "../codex/json.ts";
import type { DaemonAnswer } from "./daemon_model.ts";

/** What a `daemon` step does to the stand-in daemon. */
export type DaemonAction = "start" | "drop" | "restore" | "stop";

/** The app-server steps. */
export type AppServerStep =
  & { line: number }
  & (
    | { step: "daemon"; action: DaemonAction; threads: JsonObject[] }
    | { step: "app_server"; notify: { method: string; params: JsonObject } }
    | { step: "app_server"; answer: { method: string } & DaemonAnswer }
    | { step: "hub_start" }
    | { step: "expect_message"; message: string; expect: MessageExpectation }
  );

/** Fields of a message as `GET /messages/:id` shows it, compared exactly (`reply_matches`: a regular expression). */
export interface MessageExpectation {
  status?: string;
  via?: string | null;
  kind?: string;
  from?: string;
  reply?: string | null;
  reply_matches?: string;
  error?: string | null;
}

/** The extra fields of a `message` step. */
export interface MessageExtras {
  /** A label for the message, for `expect_message`. */
  as?: string;
  from?: string;
  timeout_s?: number;
  /** Fields of the POST answer (`http` is its status code). */
  expect?: JsonObject;
}

/** The step names this file adds (for the error listing the known steps). */
export const APP_SERVER_STEP_NAMES = ["daemon", "app_server", "hub_start", "expect_message"];

const ACTIONS: ReadonlySet<string> = new Set(["start", "drop", "restore", "stop"]);
const MESSAGE_KEYS: ReadonlySet<string> = new Set([
  "status",
  "via",
  "kind",
  "from",
  "reply",
  "reply_matches",
  "error",
]);

type Fail = (detail: string) => never;

/** Reads the header's `app_server` (true: a stand-in daemon and the hub run for the scenario). */
export function parseAppServerHeader(v: JsonObject, fail: Fail): boolean {
  if (v.app_server === undefined) return false;
  if (typeof v.app_server !== "boolean") {
    fail(`field "app_server" must be true or false in the header, got ${typeName(v.app_server)}`);
  }
  return v.app_server as boolean;
}

function method(o: unknown, field: string, where: string, fail: Fail): { method: string } & JsonObject {
  if (!isObject(o)) return fail(`field "${field}"${where} must be an object, got ${typeName(o)}`);
  if (typeof o.method !== "string" || o.method === "") {
    fail(`field "${field}.method"${where} must be a method name, got ${typeName(o.method)}`);
  }
  return o as { method: string } & JsonObject;
}

/** Reads one app-server step, or `undefined` when `v` is none. */
export function parseAppServerStep(v: JsonObject, line: number, fail: Fail): AppServerStep | undefined {
  const where = ` in step "${String(v.step)}"`;
  switch (v.step) {
    case "daemon": {
      if (typeof v.action !== "string" || !ACTIONS.has(v.action)) {
        fail(
          `field "action"${where} must be one of ${[...ACTIONS].join(", ")}, got ${JSON.stringify(v.action)}`,
        );
      }
      const threads = v.threads ?? [];
      if (!Array.isArray(threads) || threads.some((t) => !isObject(t) || typeof t.id !== "string")) {
        fail(`field "threads"${where} must be an array of threads, each with a string "id"`);
      }
      return { line, step: "daemon", action: v.action as DaemonAction, threads: threads as JsonObject[] };
    }
    case "app_server": {
      if ((v.notify === undefined) === (v.answer === undefined)) {
        fail(
          `step "app_server" needs exactly one of "notify" (a notification) or "answer" (a recorded answer)`,
        );
      }
      if (v.notify !== undefined) {
        const n = method(v.notify, "notify", where, fail);
        const params = n.params ?? {};
        if (!isObject(params)) {
          fail(`field "notify.params"${where} must be an object, got ${typeName(params)}`);
        }
        return { line, step: "app_server", notify: { method: n.method, params: params as JsonObject } };
      }
      const a = method(v.answer, "answer", where, fail);
      if (("result" in a) === ("error" in a)) {
        fail(`field "answer"${where} needs exactly one of "result" or "error"`);
      }
      if ("error" in a) {
        const e = a.error;
        if (!isObject(e) || typeof e.code !== "number" || typeof e.message !== "string") {
          fail(`field "answer.error"${where} must be {"code": number, "message": string}`);
        }
        const err = e as { code: number; message: string };
        return { line, step: "app_server", answer: { method: a.method, error: err } };
      }
      return { line, step: "app_server", answer: { method: a.method, result: a.result } };
    }
    case "hub_start":
      return { line, step: "hub_start" };
    case "expect_message": {
      if (typeof v.message !== "string") fail(`field "message"${where} must be a message label (its "as")`);
      const expect: JsonObject = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "step" || k === "message") continue;
        if (!MESSAGE_KEYS.has(k)) {
          fail(`field "${k}" is not a message field; known: ${[...MESSAGE_KEYS].join(", ")}`);
        }
        expect[k] = x;
      }
      if (Object.keys(expect).length === 0) fail(`step "expect_message" checks nothing`);
      return {
        line,
        step: "expect_message",
        message: v.message as string,
        expect: expect as MessageExpectation,
      };
    }
  }
  return undefined;
}

/** Reads the `message` step's extra fields. */
export function parseMessageExtras(v: JsonObject, fail: Fail): MessageExtras {
  const where = ` in step "message"`;
  const out: MessageExtras = {};
  for (const k of ["as", "from"] as const) {
    if (v[k] === undefined) continue;
    if (typeof v[k] !== "string") fail(`field "${k}"${where} must be a string, got ${typeName(v[k])}`);
    out[k] = v[k] as string;
  }
  if (v.timeout_s !== undefined) {
    if (typeof v.timeout_s !== "number") fail(`field "timeout_s"${where} must be a number of seconds`);
    out.timeout_s = v.timeout_s as number;
  }
  if (v.expect !== undefined) {
    if (!isObject(v.expect)) fail(`field "expect"${where} must be an object, got ${typeName(v.expect)}`);
    out.expect = v.expect as JsonObject;
  }
  return out;
}

/** Whether a parsed step is one of this file's. */
export function isAppServerStep(step: { step: string }): step is AppServerStep {
  return APP_SERVER_STEP_NAMES.includes(step.step);
}
