/**
 * `doctor`: checks the installation the way Codex will see it and says what
 * to do about each problem. Every failure becomes a FAIL check (a broken
 * `config.toml`, an unreadable manifest, a hook that does not run) instead of
 * an error, so the person always gets the whole list.
 *
 * @module
 */

import { join } from "node:path";
import { discoverHooks } from "../codex/discovery.ts";
import type { HookEventName } from "../codex/events.ts";
import { isObject, type JsonObject } from "../codex/json.ts";
import { hookCommandWords, lifelineNotify } from "../hooks/handlers.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { mcpCheck } from "./doctor_mcp.ts";
import { fallbackLogPath, storeProblem } from "../lifecycle/fallback_log.ts";
import { messageOf } from "./errors.ts";
import { type Manifest, readManifest } from "./manifest.ts";
import { type CommonOptions, type Resolved, resolveOptions } from "./options.ts";
import type { Ports } from "./ports.ts";
import { lifelineHandlers } from "./status.ts";
import { acceptsCheck, appCheck, forwardCheck, outboxCheck } from "./doctor_checks.ts";
import { parseToml } from "./toml_edit.ts";

/** One doctor check. */
export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
}

type Add = (name: string, status: Check["status"], detail: string) => void;

/**
 * The installed hook's argv, pointed at `tmp` instead of the real store: the
 * words are parsed (never edited as text, which a quote in the path would
 * defeat), `--state-dir=` and `--allow-write=` name only `tmp`, and the real
 * state dir stays readable (the copy the hook runs from lives there).
 */
export function doctorArgv(command: string, tmp: string): string[] | undefined {
  const words = hookCommandWords(command);
  if (!words || words.length < 3) return undefined;
  return [
    ...words.map((w) =>
      w.startsWith("--state-dir=")
        ? `--state-dir=${tmp}`
        : w.startsWith("--allow-write=")
        ? `--allow-write=${tmp}`
        : w.startsWith("--allow-read=")
        ? `${w},${tmp}`
        : w
    ),
    `--codex-pid=${Deno.pid}`,
  ];
}

/** Runs one installed hook with a synthetic payload against a temporary state dir. */
async function fireOnce(
  event: HookEventName,
  command: string,
): Promise<{ ok: boolean; detail: string }> {
  const tmp = await Deno.makeTempDir({ prefix: "lifeline-doctor-" });
  try {
    const argv = doctorArgv(command, tmp);
    if (!argv) return { ok: false, detail: `not a command lifeline's installer writes: ${command}` };
    const payload = JSON.stringify({
      session_id: "lifeline-doctor",
      turn_id: "lifeline-doctor-turn",
      transcript_path: null,
      cwd: tmp,
      hook_event_name: event,
      model: "doctor",
      permission_mode: "default",
      source: "startup",
      prompt: "doctor",
      tool_name: "Bash",
      tool_use_id: "doctor",
      tool_input: { command: "true" },
      tool_response: "",
      trigger: "manual",
      agent_type: "doctor",
      stop_hook_active: false,
      last_assistant_message: null,
      reason: "other",
    });
    const t0 = performance.now();
    const child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      // The test events stay in the temporary store: no sidecar, no hub, no forwarding target.
      env: {
        LIFELINE_STATE_DIR: tmp,
        LIFELINE_SIDECAR: "off",
        LIFELINE_HUB_URL: "",
        LIFELINE_NEOTOMA_URL: "",
        OTEL_EXPORTER_OTLP_ENDPOINT: "",
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      cwd: tmp,
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(payload));
    await w.close();
    const out = await child.output();
    const ms = Math.round(performance.now() - t0);
    const stderr = new TextDecoder().decode(out.stderr).trim();
    if (out.code !== 0) {
      return { ok: false, detail: `exited ${out.code} in ${ms} ms: ${stderr || "(no stderr)"}` };
    }
    let errors = "";
    try {
      errors = Deno.readTextFileSync(join(tmp, "hook-errors.log")).trim();
    } catch { /* none */ }
    if (errors) return { ok: false, detail: `ran in ${ms} ms but logged: ${errors.split("\n")[0]}` };
    const store = Store.open(tmp);
    const n = store.journal().length;
    store.close();
    return n === 1
      ? { ok: true, detail: `ran and recorded in ${ms} ms` }
      : { ok: false, detail: `ran in ${ms} ms but recorded ${n} events` };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

function codexCheck(r: Resolved, add: Add): void {
  const pr = r.profile;
  if (!r.codexVersion) {
    add("codex", "warn", `codex is not on PATH: assuming the newest known behaviour (profile ${pr.version})`);
    return;
  }
  const flag = pr.hooksOnByDefault ? "hooks on by default" : `needs [features] ${pr.featureKey} = true`;
  const trust = pr.trustEnforced ? "hooks need trust entries" : "no trust review";
  const esc = pr.interrupt === "Interrupt" ? "fires Interrupt on Esc" : "fires nothing on Esc";
  add("codex", "ok", `${r.codexVersion} (profile ${pr.version}: ${flag}; ${trust}; ${esc})`);
  // Not a failure: the newest profile is usually right, but nobody measured this release.
  if (r.profileNote) add("codex profile", "warn", r.profileNote);
}

/** The parsed config, or `undefined` (with a FAIL check) when Codex could not load it either. */
function configCheck(r: Resolved, p: Ports, add: Add): JsonObject | undefined {
  try {
    const text = p.fs.read(r.configPath);
    const config = text ? parseToml(text, r.configPath) : {};
    if (text) add("config.toml", "ok", `${r.configPath} parses`);
    else add("config.toml", "warn", `${r.configPath} does not exist`);
    return config;
  } catch (e) {
    add("config.toml", "fail", `${messageOf(e)}: Codex will refuse to start`);
    return undefined;
  }
}

function notifyCheck(config: JsonObject, r: Resolved, add: Add): void {
  const ours = lifelineNotify(config.notify, r.places.root);
  if (isObject(config.notify)) {
    add(
      "notify",
      "fail",
      "notify is a table ([notify]): Codex refuses to start; run lifeline install to migrate it",
    );
  } else if (typeof config.notify === "string") {
    add("notify", "fail", "notify is a string: Codex refuses to start; run lifeline install to migrate it");
  } else if (!ours) {
    add(
      "notify",
      "warn",
      "lifeline's notify is not configured (turns whose Stop hook did not run lose their answer)",
    );
  } else {
    const then = ours.chain ? `, then ${JSON.stringify(ours.chain)}` : "";
    add("notify", "ok", `root-level notify runs lifeline${then}`);
  }
}

function stateDirCheck(r: Resolved, add: Add): void {
  try {
    Deno.mkdirSync(r.places.stateDir, { recursive: true, mode: 0o700 });
    const probe = join(r.places.stateDir, `.doctor-${Deno.pid}`);
    Deno.writeTextFileSync(probe, "ok");
    Deno.removeSync(probe);
    add("state dir", "ok", `${r.places.stateDir} is writable`);
  } catch (e) {
    add(
      "state dir",
      "fail",
      `${r.places.stateDir} is not writable: ${messageOf(e)}; hooks log their errors to ` +
        fallbackLogPath(r.places.stateDir),
    );
    return;
  }
  const problem = storeProblem(r.places.stateDir);
  if (problem?.lastError) {
    add(
      "state dir",
      "warn",
      `hooks could not write there lately; see ${problem.fallbackLog}: ${problem.lastError}`,
    );
  }
}

async function runChecks(o: CommonOptions, p: Ports, add: Add): Promise<void> {
  let r: Resolved;
  try {
    r = resolveOptions(o, p);
  } catch (e) {
    return add("options", "fail", messageOf(e));
  }
  const pr = r.profile;
  codexCheck(r, add);
  const config = configCheck(r, p, add);
  await acceptsCheck(r, p.codexAccepts, add);
  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(p.fs, r.manifestPath);
  } catch (e) {
    add("manifest", "fail", messageOf(e));
  }
  let hooksText: string | undefined;
  try {
    hooksText = p.fs.read(r.hooksPath);
  } catch (e) {
    add("hooks.json", "fail", messageOf(e));
  }
  const d = discoverHooks({
    profile: pr,
    configPath: r.configPath,
    config: config ?? {},
    hooksJsonPath: r.hooksPath,
    hooksJsonText: hooksText,
  });
  for (const w of d.warnings) add("hooks.json", w.startsWith("failed") ? "fail" : "warn", w);
  if (config) {
    add(
      "feature flag",
      d.hooksEnabled ? "ok" : "fail",
      d.hooksEnabled
        ? "hooks are enabled"
        : `hooks are off: set [features] ${pr.featureKey} = true (or remove an explicit false)`,
    );
  }
  const handlers = lifelineHandlers(hooksText, r, config ?? {}, manifest);
  const missing = r.events.filter((e) => pr.events.includes(e) && !handlers.some((h) => h.event === e));
  if (handlers.length === 0) {
    add("handlers", "fail", `no lifeline handler in ${r.hooksPath}: run lifeline install`);
  } else if (missing.length) add("handlers", "warn", `no handler for ${missing.join(", ")}`);
  else add("handlers", "ok", `${handlers.length} handlers in ${r.hooksPath}`);
  if (config) {
    const untrusted = handlers.filter((h) => !h.trusted);
    if (pr.trustEnforced && untrusted.length) {
      add(
        "trust",
        "fail",
        `${untrusted.length} handler(s) without a matching trusted_hash (${
          untrusted.map((h) => h.event).join(", ")
        }): Codex skips them silently; run lifeline install again`,
      );
    } else if (handlers.length) {
      add(
        "trust",
        "ok",
        pr.trustEnforced
          ? "every handler's trusted_hash matches"
          : `Codex ${pr.version} does not check trust`,
      );
    }
    notifyCheck(config, r, add);
    await mcpCheck(config, add);
  }
  appCheck(manifest, handlers, add);
  forwardCheck(p, handlers, add);
  stateDirCheck(r, add);
  outboxCheck(r, add);
  for (const h of handlers) {
    try {
      const res = await fireOnce(h.event as HookEventName, h.command);
      add(`hook ${h.event}`, res.ok ? "ok" : "fail", res.detail);
    } catch (e) {
      add(`hook ${h.event}`, "fail", `could not run it: ${messageOf(e)}`);
    }
  }
}

/** Checks the installation and explains what is wrong; never throws. */
export async function doctor(o: CommonOptions, p: Ports): Promise<{ ok: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  const add: Add = (name, status, detail) => void checks.push({ name, status, detail });
  try {
    await runChecks(o, p, add);
  } catch (e) {
    // A check that could not even run (an unreadable file, say) is a failure like any other.
    add("doctor", "fail", `could not finish the checks: ${messageOf(e)}`);
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}
