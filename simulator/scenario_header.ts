/**
 * The scenario header (the first line of a scenario file) and the field
 * readers the step parser shares. Errors name the field; the caller adds
 * the file and line.
 *
 * @module
 */

import { isHookEventName } from "../codex/events.ts";
import { PROFILES, type VersionProfile } from "../codex/profiles.ts";
import { isObject, type JsonObject, typeName } from "../codex/json.ts";
import { parseTuiHeader, type TuiHeader } from "./tui_scenarios.ts";
import { parseAppServerHeader } from "./app_server_scenarios.ts";

/** The format version this simulator reads. */
export const SCENARIO_VERSION = 1;

/** An extra (user) handler installed next to lifeline's. */
export interface ExtraHook {
  event: string;
  command: string;
  timeout?: number;
  matcher?: string;
  /** Whether a trust entry is written for it (default true). */
  trusted: boolean;
  /** Put its group before lifeline's (shifting lifeline's trust indexes). */
  before: boolean;
}

/** The header line. */
export interface ScenarioHeader {
  name: string;
  description: string;
  profile: VersionProfile;
  /** Simulated start time; default: the real time when the run starts. */
  start: Date | undefined;
  settings: { stale_busy_seconds: number; failure_hint_threshold: number; text: string };
  /** Lifeline events to install (default: every event the profile fires). */
  events: string[] | undefined;
  /** Whether lifeline's handlers get trust entries (default true). */
  trusted: boolean;
  /** Run a hub for this scenario (hooks then start real sidecars). */
  hub: boolean;
  /** Run a stand-in app-server daemon and attach the hub to it (`app_server_scenarios.ts`). */
  app_server: boolean;
  hooks: ExtraHook[];
  /** The interactive TUI and its process model (`tui_scenarios.ts`). */
  tui?: TuiHeader;
}

/** Throws a scenario error with this detail. */
export type Fail = (detail: string) => never;

/** A string field (or its fallback). */
export function str(v: JsonObject, k: string, fail: Fail, where: string, fallback?: string): string {
  const x = v[k];
  if (x === undefined && fallback !== undefined) return fallback;
  if (x === undefined) fail(`field "${k}" is missing${where}`);
  if (typeof x !== "string") fail(`field "${k}" must be a string${where}, got ${typeName(x)}`);
  return x as string;
}

/** A finite number field (or its fallback). */
export function num(v: JsonObject, k: string, fail: Fail, where: string, fallback?: number): number {
  const x = v[k];
  if (x === undefined && fallback !== undefined) return fallback;
  if (typeof x !== "number" || !Number.isFinite(x)) {
    fail(`field "${k}" must be a number${where}, got ${typeName(x)}`);
  }
  return x as number;
}

/** Reads the header line. */
export function parseHeader(v: JsonObject, fail: Fail): ScenarioHeader {
  if (v.lifeline_scenario === undefined) {
    fail(`the first line must be a header with "lifeline_scenario": ${SCENARIO_VERSION}`);
  }
  if (v.lifeline_scenario !== SCENARIO_VERSION) {
    fail(
      `field "lifeline_scenario" is ${
        JSON.stringify(v.lifeline_scenario)
      }; this simulator reads version ${SCENARIO_VERSION}`,
    );
  }
  const where = " in the header";
  const name = str(v, "name", fail, where);
  const profileName = str(v, "profile", fail, where, "0.169");
  const profile = PROFILES.find((p) => p.version === profileName) ??
    fail(`field "profile" is "${profileName}"; known profiles: ${PROFILES.map((p) => p.version).join(", ")}`);
  let start: Date | undefined;
  if (v.start !== undefined) {
    start = new Date(str(v, "start", fail, where));
    if (Number.isNaN(start.getTime())) fail(`field "start" is not an ISO-8601 time`);
  }
  const s = v.settings === undefined ? {} : v.settings;
  if (!isObject(s)) fail(`field "settings" must be an object, got ${typeName(s)}`);
  const settings = {
    stale_busy_seconds: num(s as JsonObject, "stale_busy_seconds", fail, ' in "settings"', 1800),
    failure_hint_threshold: num(s as JsonObject, "failure_hint_threshold", fail, ' in "settings"', 2),
    text: str(s as JsonObject, "text", fail, ' in "settings"', "scrubbed"),
  };
  let events: string[] | undefined;
  if (v.events !== undefined) {
    if (!Array.isArray(v.events) || v.events.some((e) => !isHookEventName(e))) {
      fail(`field "events" must be an array of hook event names`);
    }
    events = v.events as string[];
  }
  const hooks: ExtraHook[] = [];
  if (v.hooks !== undefined) {
    if (!Array.isArray(v.hooks)) fail(`field "hooks" must be an array, got ${typeName(v.hooks)}`);
    for (const [i, h] of (v.hooks as unknown[]).entries()) {
      const w = ` in "hooks[${i}]"`;
      if (!isObject(h)) fail(`field "hooks[${i}]" must be an object`);
      const hh = h as JsonObject;
      const event = str(hh, "event", fail, w);
      if (!isHookEventName(event)) fail(`field "event"${w} is "${event}", not a hook event`);
      hooks.push({
        event,
        command: str(hh, "command", fail, w),
        ...(hh.timeout !== undefined ? { timeout: num(hh, "timeout", fail, w) } : {}),
        ...(hh.matcher !== undefined ? { matcher: str(hh, "matcher", fail, w) } : {}),
        trusted: hh.trusted !== false,
        before: hh.before === true,
      });
    }
  }
  return {
    name,
    description: str(v, "description", fail, where, ""),
    profile,
    start,
    settings,
    events,
    trusted: v.trusted !== false,
    hub: v.hub === true || v.app_server === true,
    app_server: parseAppServerHeader(v, fail),
    hooks,
    tui: parseTuiHeader(v, profile.version, fail),
  };
}
