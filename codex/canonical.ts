/**
 * Canonical JSON: compact, object keys sorted recursively, `/` and non-ASCII
 * not escaped. Codex hashes hook identities this way; lifeline's idempotency
 * keys use it too.
 *
 * @module
 */

/**
 * Compact JSON with object keys sorted recursively.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./canonical.ts";
 * if (canonicalJson({ b: 1, a: { d: [], c: "/é" } }) !== '{"a":{"c":"/é","d":[]},"b":1}') throw new Error();
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
