/**
 * Codex's hook contract as code: event names, payload types and parsers, the
 * notify payload, allowed outputs per event, `hooks.json` parsing and matcher
 * semantics, the trust key and hash, and version profiles.
 *
 * @module
 */

export * from "./events.ts";
export * from "./payloads.ts";
export * from "./notify.ts";
export * from "./outputs.ts";
export * from "./hooks_json.ts";
export * from "./trust.ts";
export * from "./canonical.ts";
export * from "./profiles.ts";
export { ContractError, isObject, type JsonObject } from "./json.ts";
export * from "./discovery.ts";
