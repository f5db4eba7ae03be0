/**
 * The install manifest: what `install` wrote, kept in the state dir so that
 * `uninstall` removes exactly that. It is read back like any other input:
 * every field is checked, and a field that is missing or ill-typed is named
 * in the error, instead of being trusted by a cast.
 *
 * @module
 */

import { HOOK_EVENTS, type HookEventName, isHookEventName } from "../codex/events.ts";
import { ContractError, isObject, type JsonObject, parseJsonText, typeName } from "../codex/json.ts";
import { InstallerError } from "./errors.ts";
import type { InstallerFs } from "./fs.ts";

/** What install recorded, so that uninstall removes exactly that. */
export interface Manifest {
  version: 1;
  installed_at: string;
  codex_home: string;
  state_dir: string;
  files: {
    hooks_json: ManifestFile;
    config_toml: ManifestFile;
  };
  handlers: ManifestHandler[];
  trust_keys: string[];
  /**
   * `previous` is what lifeline chains; `original` the user's notify array as
   * it was (uninstall restores it).
   */
  notify: {
    argv: string[];
    previous: string[] | null;
    previous_form: "array" | "table" | "string" | null;
    original: string[] | null;
  };
  features: {
    migrated: { value: unknown } | null;
    removed_legacy: { value: unknown } | null;
    added: string | null;
  };
  history: { added_persistence: boolean };
  /**
   * `[mcp_servers.lifeline]` as install wrote it, the table of that name it
   * replaced (`null`: none), and whether `[mcp_servers]` was new.
   * `null`: an install from before lifeline had an MCP server.
   */
  mcp: {
    table: { command: string; args: string[]; tool_timeout_sec: number };
    replaced: unknown;
    created_parent: boolean;
  } | null;
  /** The installed copy and the `lifeline` command (`null`: an install from before they existed). */
  app: { version: string; dir: string; launcher: string } | null;
  /** The `.lifeline.bak` files install made, each holding the user's original. */
  backups: string[];
  /** Whether the failure hint was turned on (`--hints`). */
  hints: boolean;
}

/** One file as install found it and as it wrote it. */
export interface ManifestFile {
  path: string;
  original: string | null;
  written: string;
}

/** One handler install wrote, at its position in `hooks.json`. */
export interface ManifestHandler {
  event: HookEventName;
  group: number;
  handler: number;
  command: string;
  timeout: number;
}

/** A checker of one value at a dotted field path; throws a ContractError naming the field. */
type Check<T> = (v: unknown, field: string) => T;

function fail(field: string, problem: string): never {
  throw new ContractError(`field "${field}" ${problem}`, { field });
}

const str: Check<string> = (v, f) =>
  typeof v === "string" ? v : fail(f, `must be a string, got ${typeName(v)}`);
const bool: Check<boolean> = (v, f) =>
  typeof v === "boolean" ? v : fail(f, `must be a boolean, got ${typeName(v)}`);
const index: Check<number> = (v, f) =>
  Number.isInteger(v) && (v as number) >= 0
    ? v as number
    : fail(f, `must be an index (0, 1, …), got ${JSON.stringify(v) ?? typeName(v)}`);
const num: Check<number> = (v, f) =>
  typeof v === "number" && Number.isFinite(v) ? v : fail(f, `must be a number, got ${typeName(v)}`);
const nullable = <T>(c: Check<T>): Check<T | null> => (v, f) => v === null ? null : c(v, f);
const arrayOf = <T>(c: Check<T>): Check<T[]> => (v, f) =>
  Array.isArray(v) ? v.map((x, i) => c(x, `${f}[${i}]`)) : fail(f, `must be an array, got ${typeName(v)}`);
const oneOf = <T extends string>(values: readonly T[]): Check<T> => (v, f) =>
  values.includes(v as T) ? v as T : fail(f, `must be one of ${values.map((x) => `"${x}"`).join(", ")}`);
const strings = arrayOf(str);

/** An object whose listed fields are all checked (unknown fields are ignored, as for Codex's inputs). */
function object<T>(shape: { [K in keyof T]-?: Check<T[K]> }): Check<T> {
  return (v, f) => {
    if (!isObject(v) && f === "") throw new ContractError(`it is not a JSON object (got ${typeName(v)})`);
    if (!isObject(v)) return fail(f, `must be an object, got ${typeName(v)}`);
    const out: Partial<T> = {};
    for (const k of Object.keys(shape) as (keyof T & string)[]) {
      const field = f === "" ? k : `${f}.${k}`;
      if (!(k in v)) fail(field, "is missing");
      out[k] = shape[k]((v as JsonObject)[k], field);
    }
    return out as T;
  };
}

const boxed: Check<{ value: unknown } | null> = nullable((v, f) => {
  if (!isObject(v) || !("value" in v)) return fail(f, "must be an object with a value, or null");
  return { value: v.value };
});
const file = object<ManifestFile>({ path: str, original: nullable(str), written: str });
const event: Check<HookEventName> = (v, f) =>
  isHookEventName(v) ? v : fail(f, `must be a Codex hook event (${HOOK_EVENTS.join(", ")})`);

const manifestCheck = object<Manifest>({
  version: (v, f) =>
    v === 1 ? 1 : fail(f, `must be 1 (this lifeline writes manifest version 1), got ${JSON.stringify(v)}`),
  installed_at: str,
  codex_home: str,
  state_dir: str,
  files: object<Manifest["files"]>({ hooks_json: file, config_toml: file }),
  handlers: arrayOf(
    object<ManifestHandler>({ event, group: index, handler: index, command: str, timeout: num }),
  ),
  trust_keys: strings,
  notify: object<Manifest["notify"]>({
    argv: strings,
    previous: nullable(strings),
    previous_form: nullable(oneOf(["array", "table", "string"] as const)),
    original: nullable(strings),
  }),
  features: object<Manifest["features"]>({ migrated: boxed, removed_legacy: boxed, added: nullable(str) }),
  history: object<Manifest["history"]>({ added_persistence: bool }),
  mcp: nullable(object<NonNullable<Manifest["mcp"]>>({
    table: object<NonNullable<Manifest["mcp"]>["table"]>({
      command: str,
      args: strings,
      tool_timeout_sec: num,
    }),
    replaced: (v) => v,
    created_parent: bool,
  })),
  app: nullable(object<NonNullable<Manifest["app"]>>({ version: str, dir: str, launcher: str })),
  backups: strings,
  hints: bool,
});

/** Fields added after version 1 was first written: a manifest without them gets these. */
const LATER_FIELDS = { mcp: null, app: null, backups: [], hints: false };

/** Checks parsed JSON against the manifest's shape; errors name the field (`handlers[2].command`). */
export function validateManifest(value: unknown): Manifest {
  return manifestCheck(isObject(value) ? { ...LATER_FIELDS, ...value } : value, "");
}

/** The manifest's file text. */
export function manifestText(m: Manifest): string {
  return JSON.stringify(m, null, 2) + "\n";
}

/** Reads and checks the manifest at `path`; `undefined` when there is none. */
export function readManifest(fs: Pick<InstallerFs, "read">, path: string): Manifest | undefined {
  const text = fs.read(path);
  if (text === undefined) return undefined;
  const what = `the install manifest "${path}"`;
  try {
    return validateManifest(parseJsonText(text, what));
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    const detail = e.message.startsWith("Cannot parse ") ? e.message : `Cannot parse ${what}: ${e.message}`;
    throw new InstallerError(
      `${detail}; lifeline cannot tell what it installed without it: fix the file, or remove it ` +
        `and undo the install by hand (config.toml.lifeline.bak next to Codex's config holds your original)`,
      1,
      { cause: e },
    );
  }
}
