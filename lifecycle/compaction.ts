/**
 * Compaction outside a turn. A manual `/compact` between turns fires
 * PreCompact and PostCompact (`trigger: "manual"`) under a turn id of its own,
 * with no UserPromptSubmit, Stop or notify; on 0.171 its model request also
 * fires PreModelRequest/PostModelRequest (`kind: "foreground_compaction"`)
 * under that id. Opening a turn for it would leave the idle session busy
 * until the next prompt, and then count a phantom interrupted turn.
 *
 * Automatic compaction inside a running turn carries that turn's id, which
 * is already open, so it stays part of the turn: this predicate is asked
 * only about a turn id lifeline has not seen.
 *
 * @module
 */

const COMPACT_EVENTS: ReadonlySet<string> = new Set(["PreCompact", "PostCompact"]);
const MODEL_REQUEST_EVENTS: ReadonlySet<string> = new Set(["PreModelRequest", "PostModelRequest"]);

/**
 * Whether an event under a turn id no prompt opened is compaction work that
 * must not open a turn: a manual Pre/PostCompact, or a model request whose
 * kind names compaction.
 */
export function isCompactionOutsideTurn(event: string, payload: Readonly<Record<string, unknown>>): boolean {
  if (COMPACT_EVENTS.has(event)) return payload.trigger === "manual";
  if (MODEL_REQUEST_EVENTS.has(event)) {
    return typeof payload.kind === "string" && payload.kind.includes("compaction");
  }
  return false;
}
