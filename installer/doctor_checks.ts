/**
 * `doctor`'s checks of what sits around the hooks: whether the installed
 * Codex loads the config, the installed copy and the command, forwarding (targets configured but not permitted by the
 * installed hooks' `--allow-net`), and what waits in the store's outbox. The
 * store is opened read-only: doctor never writes into it.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { hookCommandWords } from "../hooks/handlers.ts";
import { readSettings } from "../lifecycle/settings.ts";
import { messageOf } from "./errors.ts";
import type { Manifest } from "./manifest.ts";
import type { Resolved } from "./options.ts";
import type { Ports } from "./ports.ts";
import type { HandlerStatus } from "./status.ts";
import type { Check } from "./doctor.ts";
import type { CodexAccepts } from "./codex_accepts.ts";

type Add = (name: string, status: Check["status"], detail: string) => void;

/** Whether the installed Codex loads the config: a refusal fails with Codex's own message. */
export async function acceptsCheck(r: Resolved, accepts: CodexAccepts | undefined, add: Add): Promise<void> {
  if (!accepts) return;
  const name = "codex accepts config";
  const a = await accepts({ home: r.places.codexHome });
  if (a.verdict === "accepted") add(name, "ok", `${a.asked} loads ${r.configPath}`);
  else if (a.verdict === "refused") {
    add(name, "fail", `Codex refuses to start with ${r.configPath} (${a.asked}): ${a.message}`);
  } else add(name, "warn", `could not ask Codex: ${a.reason}`);
}

/** The installed copy and the command: present, and the hooks run from the copy. */
export function appCheck(m: Manifest | undefined, handlers: readonly HandlerStatus[], add: Add): void {
  if (!m?.app) {
    if (handlers.length) {
      add("installed copy", "warn", "the hooks run from a checkout: run lifeline install again");
    }
    return;
  }
  const { dir, launcher } = m.app;
  const missing = [join(dir, "hooks", "stop.ts"), join(dir, "cli", "lifeline.js"), launcher].filter((p) => {
    try {
      Deno.statSync(p);
      return false;
    } catch {
      return true;
    }
  });
  const outside = handlers.filter((h) =>
    !(hookCommandWords(h.command) ?? []).some((w) => w.startsWith(`${dir}/hooks/`))
  );
  if (missing.length) {
    add("installed copy", "fail", `missing ${missing.join(", ")}: run lifeline install again`);
  } else if (outside.length) {
    add(
      "installed copy",
      "warn",
      `${outside.length} handler(s) do not run from ${dir}: run lifeline install again`,
    );
  } else add("installed copy", "ok", `hooks run from ${dir}; command ${launcher}`);
}

/** The hosts a hook command may reach (`--allow-net=`). */
function allowedHosts(command: string): Set<string> {
  const w = hookCommandWords(command)?.find((x) => x.startsWith("--allow-net="));
  return new Set(w ? w.slice("--allow-net=".length).split(",") : []);
}

/** Forwarding targets set in this environment that the installed hooks may not reach. */
export function forwardCheck(p: Ports, handlers: readonly HandlerStatus[], add: Add): void {
  let fwd;
  try {
    fwd = readSettings(p.env).forward;
  } catch (e) {
    return add("forwarding", "fail", `cannot read the forwarding settings: ${messageOf(e)}`);
  }
  const urls = [fwd?.neotoma?.url, fwd?.otlp?.endpoint].filter((u): u is string => !!u);
  if (urls.length === 0) return add("forwarding", "ok", "no forwarding target configured");
  const hosts = urls.map((u) => new URL(u).host);
  const blocked = handlers.filter((h) => hosts.some((x) => !allowedHosts(h.command).has(x)));
  if (handlers.length && blocked.length) {
    add(
      "forwarding",
      "fail",
      `${hosts.join(", ")} configured, but ${blocked.length} installed hook(s) may not reach it ` +
        `(--allow-net): records pile up unsent; run lifeline install again with these variables set`,
    );
  } else add("forwarding", "ok", `the hooks may reach ${hosts.join(", ")}`);
}

/** Pending and parked outbox rows, counted read-only (no store yet: nothing to count). */
export function outboxCheck(r: Resolved, add: Add): void {
  const path = join(r.places.stateDir, "lifeline.db");
  try {
    Deno.statSync(path);
  } catch {
    return add("outbox", "ok", "no store yet");
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const rows = db.prepare("SELECT status, count(*) AS n FROM outbox GROUP BY status").all() as {
      status: string;
      n: number;
    }[];
    const n = (s: string) => Number(rows.find((x) => x.status === s)?.n ?? 0);
    const detail = `${n("pending")} pending, ${n("parked")} parked, ${n("sent")} sent`;
    add(
      "outbox",
      n("parked") > 0 ? "warn" : "ok",
      n("parked") > 0 ? `${detail} (parked records are not retried automatically)` : detail,
    );
  } catch (e) {
    add("outbox", "warn", `cannot read ${path}: ${messageOf(e)}`);
  } finally {
    db?.close();
  }
}
