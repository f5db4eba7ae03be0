/**
 * The installer's commands as functions over ports (file system, clock,
 * process runner), so tests and `--dry-run` run the same code as a real
 * install. Only `installer/mod.ts` prints and exits.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { HOOK_EVENTS, type HookEventName, isHookEventName } from "../codex/events.ts";
import { LATEST_PROFILE, profileFor, type VersionProfile } from "../codex/profiles.ts";
import { isTrusted } from "../codex/trust.ts";
import type { HookHandler } from "../codex/hooks_json.ts";
import { isObject } from "../codex/json.ts";
import { type HandlerPlaces, HOOK_SCRIPTS, LIFELINE_ROOT } from "../hooks/handlers.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { readSettings } from "../lifecycle/settings.ts";
import { discover } from "../simulator/discovery.ts";
import { unifiedDiff } from "./diff.ts";
import type { InstallerFs } from "./fs.ts";
import { InstallError, type Manifest, type Plan, planInstall, planUninstall } from "./plan.ts";
import { parseToml } from "./_toml.ts";

/** Options shared by every command. */
export interface CommonOptions {
  codexHome?: string | undefined;
  stateDir?: string | undefined;
  events?: string | undefined;
  codexVersion?: string | undefined;
}

/** The world the commands see. */
export interface Ports {
  fs: InstallerFs;
  env: (k: string) => string | undefined;
  now: () => Date;
  /** `codex --version`, or undefined when codex is not on PATH. */
  codexVersion: () => string | undefined;
  /** The deno executable and this checkout. */
  deno: string;
  root: string;
}

/** Default ports for the real machine. */
export function realPorts(fs: InstallerFs): Ports {
  return {
    fs,
    env: (k) => Deno.env.get(k),
    now: () => new Date(),
    codexVersion: () => {
      try {
        const out = new Deno.Command("codex", {
          args: ["--version"],
          stdout: "piped",
          stderr: "null",
          stdin: "null",
        }).outputSync();
        return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
      } catch {
        return undefined;
      }
    },
    deno: Deno.execPath(),
    root: LIFELINE_ROOT,
  };
}

/** Resolved settings. */
export interface Resolved {
  places: HandlerPlaces;
  hooksPath: string;
  configPath: string;
  manifestPath: string;
  events: HookEventName[];
  profile: VersionProfile;
  /** What `codex --version` said, if anything. */
  codexVersion: string | undefined;
}

/** A user error: what was wrong, and the exit code. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = "UsageError";
  }
}

/** Resolves the options against the environment. */
export function resolveOptions(o: CommonOptions, p: Ports): Resolved {
  const settings = readSettings(p.env);
  const codexHome = resolve(o.codexHome ?? settings.codexHome);
  const stateDir = resolve(o.stateDir ?? settings.stateDir);
  let events: HookEventName[] = [...HOOK_EVENTS];
  if (o.events !== undefined) {
    const names = o.events.split(",").map((s) => s.trim()).filter(Boolean);
    const bad = names.find((n) => !isHookEventName(n));
    if (bad !== undefined) {
      throw new UsageError(
        `Cannot use --events: "${bad}" is not a Codex hook event; known: ${HOOK_EVENTS.join(", ")}`,
      );
    }
    events = names as HookEventName[];
  }
  const reported = o.codexVersion ?? p.codexVersion();
  let profile = LATEST_PROFILE;
  if (reported !== undefined) {
    const v = /(\d+\.\d+(?:\.\d+)?)/.exec(reported)?.[1];
    try {
      profile = profileFor(v ?? reported);
    } catch (e) {
      throw new UsageError(`Cannot install for Codex "${reported}": ${(e as Error).message}`);
    }
  }
  // Forwarding targets configured now: the hooks may reach them to flush their own records.
  const fwd = settings.forward;
  const netHosts = [fwd?.neotoma?.url, fwd?.otlp?.endpoint].filter((u): u is string => !!u).map((u) =>
    new URL(u).host
  );
  return {
    places: { deno: p.deno, root: p.root, stateDir, codexHome, ...(netHosts.length ? { netHosts } : {}) },
    hooksPath: join(codexHome, "hooks.json"),
    configPath: join(codexHome, "config.toml"),
    manifestPath: join(stateDir, "install-manifest.json"),
    events,
    profile,
    codexVersion: reported,
  };
}

function readManifest(p: Ports, r: Resolved): Manifest | undefined {
  const text = p.fs.read(r.manifestPath);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Manifest;
  } catch (e) {
    throw new UsageError(`Cannot read the install manifest "${r.manifestPath}": ${(e as Error).message}`, 1);
  }
}

/** What install or uninstall did (or would do). */
export interface ChangeReport {
  action: "install" | "uninstall";
  dry_run: boolean;
  codex_home: string;
  state_dir: string;
  codex_version: string | null;
  profile: string;
  files: { path: string; changed: boolean; diff: string }[];
  handlers: { event: string; group: number; handler: number }[];
  notes: string[];
}

function report(action: ChangeReport["action"], plan: Plan, r: Resolved, dryRun: boolean): ChangeReport {
  return {
    action,
    dry_run: dryRun,
    codex_home: r.places.codexHome,
    state_dir: r.places.stateDir,
    codex_version: r.codexVersion ?? null,
    profile: r.profile.version,
    files: [plan.hooks, plan.config].map((f) => ({
      path: f.path,
      changed: f.before !== f.after,
      diff: unifiedDiff(
        f.before ?? "",
        f.after ?? "",
        f.before === undefined ? "/dev/null" : f.path,
        f.after === undefined ? "/dev/null" : f.path,
      ),
    })),
    handlers: plan.manifest?.handlers.map((h) => ({ event: h.event, group: h.group, handler: h.handler })) ??
      [],
    notes: plan.notes,
  };
}

/** Plans an install; nothing is written. */
export function planFor(
  action: "install" | "uninstall",
  o: CommonOptions,
  p: Ports,
): { plan: Plan; resolved: Resolved } {
  const r = resolveOptions(o, p);
  const config = { path: r.configPath, text: p.fs.read(r.configPath) };
  const hooks = { path: r.hooksPath, text: p.fs.read(r.hooksPath) };
  const manifest = readManifest(p, r);
  if (action === "install") {
    return {
      plan: planInstall(config, hooks, manifest, {
        places: r.places,
        events: r.events,
        profile: r.profile,
        now: p.now(),
      }),
      resolved: r,
    };
  }
  if (!manifest) {
    throw new UsageError(
      `Nothing to uninstall: no install manifest at "${r.manifestPath}" (was lifeline installed with --state-dir ${r.places.stateDir}?)`,
      1,
    );
  }
  return { plan: planUninstall(config, hooks, manifest), resolved: r };
}

/** Writes a plan through the file system port. hooks.json first: without trust it stays inert. */
export function applyPlan(plan: Plan, r: Resolved, fs: InstallerFs): void {
  fs.mkdir(r.places.codexHome);
  for (const f of [plan.hooks, plan.config]) {
    if (f.before === f.after) continue;
    if (f.after === undefined) fs.remove(f.path);
    else fs.write(f.path, f.after, 0o600);
  }
  fs.mkdir(r.places.stateDir);
  if (plan.manifest) fs.write(r.manifestPath, JSON.stringify(plan.manifest, null, 2) + "\n", 0o600);
  else fs.remove(r.manifestPath);
}

/** Runs install or uninstall; `dryRun` writes nothing. */
export function change(
  action: "install" | "uninstall",
  o: CommonOptions & { dryRun: boolean },
  p: Ports,
): ChangeReport {
  const { plan, resolved } = planFor(action, o, p);
  if (action === "install" && /[\\/]_npx[\\/]/.test(p.deno)) {
    plan.notes.push(
      `the hooks will run ${p.deno}, which lives in npm's npx cache: if npm clears it, every hook stops. ` +
        `Install Deno for good (npm install -g deno@2.9.6) and run install again with that deno`,
    );
  }
  if (!o.dryRun) applyPlan(plan, resolved, p.fs);
  return report(action, plan, resolved, o.dryRun);
}

/** One installed handler, as `status` shows it. */
export interface HandlerStatus {
  event: string;
  group: number;
  handler: number;
  command: string;
  trusted: boolean;
}

/** What `status` reports. */
export interface StatusReportJson {
  installed: boolean;
  codex_home: string;
  state_dir: string;
  codex_version: string | null;
  profile: string;
  hooks_json: string;
  config_toml: string;
  handlers: HandlerStatus[];
  notify: { root_level: boolean; lifeline: boolean; chained: string[] | null };
  hooks_enabled: boolean;
}

/** What is installed, where, and whether each handler is trusted. */
export function status(o: CommonOptions, p: Ports): StatusReportJson {
  const r = resolveOptions(o, p);
  const manifest = readManifest(p, r);
  const configText = p.fs.read(r.configPath);
  const config = configText ? parseToml(configText, r.configPath) : {};
  const hooksText = p.fs.read(r.hooksPath);
  const handlers: HandlerStatus[] = [];
  const state = isObject(config.hooks) && isObject((config.hooks as Record<string, unknown>).state)
    ? (config.hooks as Record<string, Record<string, unknown>>).state as Record<string, unknown>
    : {};
  if (hooksText) {
    let doc: Record<string, unknown> = {};
    try {
      doc = JSON.parse(hooksText);
    } catch { /* reported by doctor */ }
    const table = isObject(doc.hooks) ? doc.hooks as Record<string, unknown[]> : {};
    for (const [event, groups] of Object.entries(table)) {
      if (!isHookEventName(event) || !Array.isArray(groups)) continue;
      groups.forEach((g, gi) => {
        if (!isObject(g) || !Array.isArray(g.hooks)) return;
        (g.hooks as unknown[]).forEach((h, hi) => {
          if (!isObject(h) || typeof h.command !== "string") return;
          if (!h.command.includes(`${r.places.root}/hooks/${HOOK_SCRIPTS[event]}`)) return;
          const matcher = typeof g.matcher === "string" ? g.matcher : undefined;
          const trusted = isTrusted(state, r.hooksPath, {
            event,
            groupIndex: gi,
            handlerIndex: hi,
            matcher,
            handler: h as HookHandler,
          });
          handlers.push({ event, group: gi, handler: hi, command: h.command, trusted });
        });
      });
    }
  }
  const notify = config.notify;
  const ours = Array.isArray(notify) && notify.includes(`${r.places.root}/hooks/notify.ts`);
  const chainArg = ours ? (notify as string[]).find((a) => a.startsWith("--chain=")) : undefined;
  return {
    installed: manifest !== undefined || handlers.length > 0,
    codex_home: r.places.codexHome,
    state_dir: r.places.stateDir,
    codex_version: r.codexVersion ?? null,
    profile: r.profile.version,
    hooks_json: r.hooksPath,
    config_toml: r.configPath,
    handlers,
    notify: {
      root_level: Array.isArray(notify),
      lifeline: ours,
      chained: chainArg ? JSON.parse(chainArg.slice(8)) : null,
    },
    hooks_enabled: discover(r.places.codexHome, r.profile).hooksEnabled,
  };
}

/** One doctor check. */
export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
}

/** Runs one installed hook with a synthetic payload against a temporary state dir. */
async function fireOnce(
  event: HookEventName,
  command: string,
  stateDir: string,
): Promise<{ ok: boolean; detail: string }> {
  const tmp = await Deno.makeTempDir({ prefix: "lifeline-doctor-" });
  try {
    const cmd = command.replaceAll(stateDir, tmp);
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
    const child = new Deno.Command("sh", {
      args: ["-c", cmd],
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

/** Checks the installation and explains what is wrong. */
export async function doctor(o: CommonOptions, p: Ports): Promise<{ ok: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  const add = (name: string, s: Check["status"], detail: string) => checks.push({ name, status: s, detail });
  const r = resolveOptions(o, p);
  const pr = r.profile;
  if (r.codexVersion) {
    add(
      "codex",
      "ok",
      `${r.codexVersion} (profile ${pr.version}: ${
        pr.hooksOnByDefault ? "hooks on by default" : `needs [features] ${pr.featureKey} = true`
      }; ${pr.trustEnforced ? "hooks need trust entries" : "no trust review"}; ${
        pr.interrupt === "Interrupt" ? "fires Interrupt on Esc" : "fires nothing on Esc"
      })`,
    );
  } else {add(
      "codex",
      "warn",
      `codex is not on PATH: assuming the newest known behaviour (profile ${pr.version})`,
    );}
  let config: Record<string, unknown> = {};
  const configText = p.fs.read(r.configPath);
  try {
    config = configText ? parseToml(configText, r.configPath) : {};
    add(
      "config.toml",
      configText ? "ok" : "warn",
      configText ? `${r.configPath} parses` : `${r.configPath} does not exist`,
    );
  } catch (e) {
    add("config.toml", "fail", `${(e as Error).message}: Codex will refuse to start`);
  }
  const d = discover(r.places.codexHome, pr);
  for (const w of d.warnings) add("hooks.json", w.startsWith("failed") ? "fail" : "warn", w);
  add(
    "feature flag",
    d.hooksEnabled ? "ok" : "fail",
    d.hooksEnabled
      ? "hooks are enabled"
      : `hooks are off: set [features] ${pr.featureKey} = true (or remove an explicit false)`,
  );
  const st = status(o, p);
  const missing = r.events.filter((e) => pr.events.includes(e) && !st.handlers.some((h) => h.event === e));
  if (st.handlers.length === 0) add("handlers", "fail", `no lifeline handler in ${r.hooksPath}: run install`);
  else if (missing.length) add("handlers", "warn", `no handler for ${missing.join(", ")}`);
  else add("handlers", "ok", `${st.handlers.length} handlers in ${r.hooksPath}`);
  const untrusted = st.handlers.filter((h) => !h.trusted);
  if (pr.trustEnforced && untrusted.length) {
    add(
      "trust",
      "fail",
      `${untrusted.length} handler(s) without a matching trusted_hash (${
        untrusted.map((h) => h.event).join(", ")
      }): Codex skips them silently; run install again`,
    );
  } else if (st.handlers.length) {
    add(
      "trust",
      "ok",
      pr.trustEnforced ? "every handler's trusted_hash matches" : `Codex ${pr.version} does not check trust`,
    );
  }
  if (isObject(config.notify)) {
    add("notify", "fail", "notify is a table ([notify]): Codex refuses to start; run install to migrate it");
  } else if (typeof config.notify === "string") {
    add("notify", "fail", "notify is a string: Codex refuses to start; run install to migrate it");
  } else if (!st.notify.lifeline) {
    add(
      "notify",
      "warn",
      "lifeline's notify is not configured (turns whose Stop hook did not run lose their answer)",
    );
  } else {add(
      "notify",
      "ok",
      `root-level notify runs lifeline${
        st.notify.chained ? `, then ${JSON.stringify(st.notify.chained)}` : ""
      }`,
    );}
  try {
    Deno.mkdirSync(r.places.stateDir, { recursive: true, mode: 0o700 });
    const probe = join(r.places.stateDir, `.doctor-${Deno.pid}`);
    Deno.writeTextFileSync(probe, "ok");
    Deno.removeSync(probe);
    add("state dir", "ok", `${r.places.stateDir} is writable`);
  } catch (e) {
    add("state dir", "fail", `${r.places.stateDir} is not writable: ${(e as Error).message}`);
  }
  for (const h of st.handlers) {
    const res = await fireOnce(h.event as HookEventName, h.command, r.places.stateDir);
    add(`hook ${h.event}`, res.ok ? "ok" : "fail", res.detail);
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}

export { InstallError };
