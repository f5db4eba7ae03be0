/**
 * Lenient readers for app-server messages. Unlike the hook payload readers,
 * these never throw: a field of the wrong type reads as absent, and the
 * caller decides whether the message is still usable. Codex adds fields to
 * this protocol in every release, so only what lifeline reads is looked at.
 *
 * @module
 */

/** A JSON object with unknown values. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `o[k]` when it is a string. */
export function str(o: JsonObject, k: string): string | undefined {
  const v = o[k];
  return typeof v === "string" ? v : undefined;
}

/** `o[k]` when it is a finite number. */
export function num(o: JsonObject, k: string): number | undefined {
  const v = o[k];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** `o[k]` when it is a finite number, `null` when null or absent or ill-typed. */
export function numOrNull(o: JsonObject, k: string): number | null {
  return num(o, k) ?? null;
}

/** `o[k]` when it is a string, else `null`. */
export function strOrNull(o: JsonObject, k: string): string | null {
  return str(o, k) ?? null;
}

/** `o[k]` when it is a boolean. */
export function bool(o: JsonObject, k: string): boolean | undefined {
  const v = o[k];
  return typeof v === "boolean" ? v : undefined;
}

/** `o[k]` when it is a JSON object. */
export function obj(o: JsonObject, k: string): JsonObject | undefined {
  const v = o[k];
  return isObject(v) ? v : undefined;
}

/** `o[k]` when it is an array (elements unchecked). */
export function arr(o: JsonObject, k: string): unknown[] | undefined {
  const v = o[k];
  return Array.isArray(v) ? v : undefined;
}

/** The strings of `o[k]` when it is an array; other elements are skipped. */
export function strings(o: JsonObject, k: string): string[] {
  return (arr(o, k) ?? []).filter((x): x is string => typeof x === "string");
}
