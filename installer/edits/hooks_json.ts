/**
 * lifeline's handlers in `hooks.json`: install appends one matcher group per
 * event at the end of that event's list (the user's handlers keep their
 * positions, so their trust entries stay valid); uninstall takes out exactly
 * the handlers that are lifeline's. Both keep the file's indentation and
 * newline style, and keep the file byte for byte when nothing changes.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import type { HookEventName } from "../../codex/events.ts";
import { type HookHandler, type MatcherGroup, parseHooksJson } from "../../codex/hooks_json.ts";
import { isObject } from "../../codex/json.ts";
import { type HandlerPlaces, HOOK_TIMEOUTS, hookCommand, lifelineHookEvent } from "../../hooks/handlers.ts";
import { InstallerError } from "../errors.ts";
import type { Manifest, ManifestHandler } from "../manifest.ts";
import { newlineOf } from "../toml_edit.ts";
import { addMember, appendItem, removeItem, removeMember, scanJson } from "./json_text.ts";

/** A file's path and its current text (`undefined`: it does not exist). */
export interface FileText {
  path: string;
  text: string | undefined;
}

/**
 * Whether a handler's command is lifeline's: one the command builder makes
 * for this checkout, or one an earlier install recorded in its manifest (the
 * checkout may have moved since). Install, uninstall, status and doctor all
 * decide by this.
 */
export function isLifelineHandler(command: string, root: string, recorded: ReadonlySet<string>): boolean {
  return recorded.has(command) || lifelineHookEvent(command, root) !== undefined;
}

/** The commands a manifest recorded (none without a manifest). */
export function recordedCommands(m: Manifest | undefined): Set<string> {
  return new Set(m?.handlers.map((h) => h.command) ?? []);
}

/** The indentation and newline style of a JSON text (default: two spaces, "\n", final newline). */
function jsonStyle(text: string | undefined): { indent: string; nl: string; final: boolean } {
  if (!text) return { indent: "  ", nl: "\n", final: true };
  const m = /\n([ \t]+)\S/.exec(text);
  return { indent: m ? m[1]! : "  ", nl: newlineOf(text), final: /\n$/.test(text) };
}

/**
 * `before` with lifeline's groups taken out and `added` appended, as text
 * splices: the user's parts keep every byte. `undefined` when the file holds
 * something a splice cannot express (a lifeline handler inside a user's
 * group, or no `hooks` object), and the caller re-serialises instead.
 */
function splice(
  before: string,
  ours: (command: string) => boolean,
  added: readonly [HookEventName, MatcherGroup][],
  dropEmptyHooks = false,
): string | undefined {
  const { indent, nl } = jsonStyle(before);
  let text = before;
  const root = () => scanJson(text);
  const hooksNode = () => root().members?.find((m) => m.key === "hooks")?.value;
  const isOursGroup = (g: unknown) =>
    isObject(g) && Array.isArray(g.hooks) && g.hooks.length > 0 && Object.keys(g).every((k) =>
      k === "hooks"
    ) &&
    g.hooks.every((h) => isObject(h) && typeof h.command === "string" && ours(h.command));
  const hasOurs = (g: unknown) =>
    isObject(g) && Array.isArray(g.hooks) &&
    g.hooks.some((h) => isObject(h) && typeof h.command === "string" && ours(h.command));
  const doc = JSON.parse(text) as Record<string, unknown>;
  if (doc.hooks !== undefined && !isObject(doc.hooks)) return undefined;
  for (const [event, groups] of Object.entries(isObject(doc.hooks) ? doc.hooks : {})) {
    if (!Array.isArray(groups)) continue;
    if (groups.some((g) => hasOurs(g) && !isOursGroup(g))) return undefined;
    const drop = groups.flatMap((g, i) => (isOursGroup(g) ? [i] : []));
    if (drop.length === 0) continue;
    if (drop.length === groups.length) {
      const h = hooksNode()!;
      text = removeMember(text, h, h.members!.findIndex((m) => m.key === event));
      continue;
    }
    for (const k of drop.reverse()) {
      const arr = hooksNode()!.members!.find((m) => m.key === event)!.value;
      text = removeItem(text, arr, k);
    }
  }
  const left = hooksNode();
  if (dropEmptyHooks && left?.kind === "object" && left.members!.length === 0) {
    const r = root();
    text = removeMember(text, r, r.members!.findIndex((m) => m.key === "hooks"));
  }
  for (const [event, group] of added) {
    const h = hooksNode();
    if (!h) {
      text = addMember(text, root(), "hooks", { [event]: [group] }, indent, nl);
      continue;
    }
    if (h.kind !== "object") return undefined;
    const arr = h.members!.find((m) => m.key === event)?.value;
    if (!arr) text = addMember(text, h, event, [group], indent, nl);
    else if (arr.kind === "array") text = appendItem(text, arr, group, indent, nl);
    else return undefined;
  }
  return text;
}

/** `doc` in the style of `before`, or `before` itself when it already says exactly that. */
function jsonText(doc: unknown, before: string | undefined, spliced?: string): string {
  if (before !== undefined && before.trim() !== "" && isDeepStrictEqual(JSON.parse(before), doc)) {
    return before;
  }
  if (spliced !== undefined && isDeepStrictEqual(JSON.parse(spliced), doc)) return spliced;
  const style = jsonStyle(before);
  const s = JSON.stringify(doc, null, style.indent).replaceAll("\n", style.nl);
  return style.final ? s + style.nl : s;
}

/** Parses `hooks.json` the way Codex does; a file Codex would void is an error, not overwritten. */
export function readHooksJson(text: string | undefined, path: string): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  const r = parseHooksJson(text, path);
  if (r.error) {
    const detail = r.error.message;
    throw new InstallerError(
      /^\S+:\d+:\d+: /.test(detail)
        ? `Cannot parse ${detail}; nothing was changed`
        : `Cannot install into ${path}: Codex ignores this whole file (${detail}); fix it first, nothing was changed`,
      1,
      { cause: r.error },
    );
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Removes the handlers `ours` says are lifeline's. A group left empty goes
 * too when it held nothing but handlers; an event left without groups goes too.
 */
function removeHandlers(table: Record<string, unknown>, ours: (command: string) => boolean): void {
  for (const [event, groups] of Object.entries(table)) {
    if (!Array.isArray(groups)) continue;
    const kept = groups.flatMap((g) => {
      if (!isObject(g) || !Array.isArray(g.hooks)) return [g];
      const rest = (g.hooks as unknown[]).filter((h) =>
        !(isObject(h) && typeof h.command === "string" && ours(h.command))
      );
      if (rest.length === g.hooks.length) return [g];
      return rest.length === 0 && Object.keys(g).every((k) => k === "hooks") ? [] : [{ ...g, hooks: rest }];
    });
    if (kept.length === 0) delete table[event];
    else table[event] = kept;
  }
}

/** What installing the handlers gives: the new text, the manifest's handlers, the exact objects written. */
export interface HandlersInstalled {
  after: string;
  handlers: ManifestHandler[];
  /** The handler objects written, in `handlers` order: their trust hashes are computed from them. */
  written: HookHandler[];
}

/** The name Codex shows for lifeline's handler of `event` (it is part of the trust hash). */
export function statusMessage(event: HookEventName): string {
  return `lifeline: recording ${event}`;
}

/** Replaces any earlier lifeline handlers with one handler per event in `events`. */
export function installHandlers(
  hooks: FileText,
  events: readonly HookEventName[],
  places: HandlerPlaces,
  previous: Manifest | undefined,
): HandlersInstalled {
  const doc = structuredClone(readHooksJson(hooks.text, hooks.path));
  const table = (isObject(doc.hooks) ? doc.hooks : (doc.hooks = {})) as Record<string, unknown>;
  const recorded = recordedCommands(previous);
  removeHandlers(table, (c) => isLifelineHandler(c, places.root, recorded));
  const handlers: ManifestHandler[] = [];
  const written: HookHandler[] = [];
  const added: [HookEventName, MatcherGroup][] = [];
  for (const event of events) {
    const groups = (Array.isArray(table[event]) ? table[event] : (table[event] = [])) as MatcherGroup[];
    const command = hookCommand(event, places);
    const timeout = HOOK_TIMEOUTS[event];
    // Codex's /hooks lists a handler by its statusMessage ("Unnamed hook" without one).
    const handler: HookHandler = { type: "command", command, timeout, statusMessage: statusMessage(event) };
    groups.push({ hooks: [handler] });
    added.push([event, { hooks: [handler] }]);
    written.push(handler);
    handlers.push({ event, group: groups.length - 1, handler: 0, command, timeout });
  }
  const ours = (c: string) => isLifelineHandler(c, places.root, recorded);
  const spliced = hooks.text?.trim() ? splice(hooks.text, ours, added) : undefined;
  return { after: jsonText(doc, hooks.text, spliced), handlers, written };
}

/**
 * Uninstalls from `hooks.json`: the original comes back when nobody touched
 * the file since install; otherwise only lifeline's handlers go.
 */
export function uninstallHandlers(
  hooks: FileText,
  m: Manifest,
  root: string,
  notes: string[],
): string | undefined {
  if (hooks.text === m.files.hooks_json.written) return m.files.hooks_json.original ?? undefined;
  if (hooks.text === undefined) return undefined;
  const doc = readHooksJson(hooks.text, hooks.path);
  const recorded = recordedCommands(m);
  removeHandlers(
    isObject(doc.hooks) ? doc.hooks as Record<string, unknown> : {},
    (c) => isLifelineHandler(c, root, recorded),
  );
  // A "hooks" object install added to a file without one goes again once it is empty.
  const original = m.files.hooks_json.original;
  const hadHooks = original !== null && original.trim() !== "" && "hooks" in JSON.parse(original);
  const drop = !hadHooks && isObject(doc.hooks) && Object.keys(doc.hooks).length === 0;
  if (drop) delete doc.hooks;
  notes.push(`${hooks.path} changed since install: removed only lifeline's handlers`);
  const ours = (c: string) => isLifelineHandler(c, root, recorded);
  return jsonText(doc, hooks.text, splice(hooks.text, ours, [], drop));
}
