/**
 * Codex's internal threads, which are never sessions.
 *
 * The interactive TUI (0.169 and later) runs an ephemeral title-generation
 * thread beside a thread's first prompt (on 0.169, beside every prompt until
 * a title was accepted). It fires no hook at all, but it does fire `notify`,
 * each time with a thread id and turn id of its own, client `codex-tui`, one
 * input message (the title prompt, which quotes the user's prompt) and the
 * model's title as the last assistant message. Taken as a session it would
 * stay online, pending its first turn, for as long as the daemon lives.
 *
 * The app-server names such threads itself: `ephemeral: true` on the thread.
 *
 * The predicates are pure and read the raw payload: the observation's copy is
 * scrubbed, and a redacted prompt no longer tells anything.
 *
 * @module
 */

/** How the title prompt starts, in every release measured (0.169.0, 0.171.0). */
export const TITLE_PROMPT_PREFIX = "Generate a concise, single-line task title";

/**
 * Whether a raw `notify` payload is the notify of an internal title thread:
 * exactly one input message, and it is the title prompt. A real turn's
 * notify lists every user message of its thread, so a user who typed those
 * words as a first prompt would be taken for a title thread only if the
 * thread also has no hook at all; the reducer checks that part (an unknown
 * thread), see {@link isInternalNotify}.
 */
export function isTitleThreadNotify(raw: Readonly<Record<string, unknown>>): boolean {
  const inputs = raw["input-messages"];
  if (!Array.isArray(inputs) || inputs.length !== 1) return false;
  const only = inputs[0];
  return typeof only === "string" && only.startsWith(TITLE_PROMPT_PREFIX);
}

/**
 * Whether an app-server thread is internal (never a session): the
 * app-server marks it `ephemeral: true`. For the app-server observations.
 */
export function isEphemeralThread(thread: unknown): boolean {
  return typeof thread === "object" && thread !== null &&
    (thread as Record<string, unknown>).ephemeral === true;
}

/**
 * Whether an observation of a thread lifeline has no session for is internal
 * work and must not make one: its `internal` mark (set when it was observed,
 * from the raw payload) on a thread no hook ever named.
 */
export function isInternalNotify(obs: { event: string; internal?: boolean }, known: boolean): boolean {
  return obs.event === "Notify" && obs.internal === true && !known;
}
